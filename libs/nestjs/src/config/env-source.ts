/** Where variables come from: Nest's ConfigService (has `get`) or a plain record such as process.env. */
export type EnvSource = { get(key: string): unknown } | Record<string, string | undefined>;

/** A variable's value, trimmed; unset, null and blank all read as undefined. */
export function readEnv(source: EnvSource, key: string): string | undefined {
  const value = hasGetter(source) ? source.get(key) : source[key];
  if (value === undefined || value === null) return undefined;
  const text = String(value).trim();
  return text === '' ? undefined : text;
}

function hasGetter(source: EnvSource): source is { get(key: string): unknown } {
  return typeof (source as { get?: unknown }).get === 'function';
}
