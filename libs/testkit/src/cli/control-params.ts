/** A query parameter that cannot be used: the control API answers 400 with this message. */
export class BadRequest extends Error {}

export type Query = URLSearchParams;

export function flag(query: Query, name: string): boolean {
  const value = query.get(name) ?? '1';
  if (['1', 'true', 'on', 'yes'].includes(value)) return true;
  if (['0', 'false', 'off', 'no'].includes(value)) return false;
  throw new BadRequest(`${name} must be 1/0 (got "${value}")`);
}

export function integer(query: Query, name: string, fallback?: number): number {
  const raw = query.get(name);
  if (raw === null) {
    if (fallback !== undefined) return fallback;
    throw new BadRequest(`${name} is required`);
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new BadRequest(`${name} must be a non-negative integer (got "${raw}")`);
  return value;
}

export function text(query: Query, name: string): string {
  const value = query.get(name);
  if (value === null || value === '') throw new BadRequest(`${name} is required`);
  return value;
}

export function oneOf<T extends string>(query: Query, name: string, allowed: readonly T[]): T {
  const value = text(query, name);
  if (!(allowed as readonly string[]).includes(value)) throw new BadRequest(`${name} must be one of ${allowed.join(', ')}`);
  return value as T;
}
