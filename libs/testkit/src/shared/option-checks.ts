/** Option checks shared by every exchange: each failure names the exchange and the option. */
export function requireNumber(owner: string, name: string, value: number, min: number, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range = max === Infinity ? `>= ${min}` : `between ${min} and ${max}`;
    throw new RangeError(`${owner} option ${name} must be a number ${range} (got ${String(value)})`);
  }
  return value;
}

export function requirePath(owner: string, name: string, value: string): string {
  if (!value.startsWith('/')) throw new RangeError(`${owner} option ${name} must start with "/" (got ${value})`);
  return value;
}

export function requireNonEmpty<T>(owner: string, name: string, values: readonly T[]): T[] {
  if (values.length === 0) throw new RangeError(`${owner} option ${name} must not be empty`);
  return [...values];
}

export interface ConnectionLimit {
  /** Connection attempts allowed per window (per exchange, standing in for the venue's per-IP count). */
  max: number;
  windowMs: number;
}

export function validateConnectionLimit(
  owner: string,
  limit: ConnectionLimit | false | undefined,
  fallback: ConnectionLimit,
): ConnectionLimit | false {
  if (limit === false) return false;
  const chosen = limit ?? fallback;
  return {
    max: Math.trunc(requireNumber(owner, 'connectionLimit.max', chosen.max, 1)),
    windowMs: requireNumber(owner, 'connectionLimit.windowMs', chosen.windowMs, 1),
  };
}
