import { ExchangeConnectionError } from '@exchange-connection/core';

/** Where variables come from: Nest's ConfigService (has `get`) or a plain record such as process.env. */
export type EnvSource = { get(key: string): unknown } | Record<string, string | undefined>;

/**
 * Typed reads of environment variables. Every failure names the variable; values of secret
 * variables are never repeated in an error.
 */
export class EnvReader {
  constructor(private readonly source: EnvSource) {}

  raw(key: string): string | undefined {
    const source = this.source;
    const value = hasGetter(source) ? source.get(key) : source[key];
    if (value === undefined || value === null) return undefined;
    const text = String(value).trim();
    return text === '' ? undefined : text;
  }

  string(key: string, fallback?: string): string | undefined {
    return this.raw(key) ?? fallback;
  }

  required(key: string, why = 'is required'): string {
    const value = this.raw(key);
    if (value === undefined) throw invalid(key, why);
    return value;
  }

  int(key: string, fallback: number, bounds: { min?: number; max?: number } = {}): number {
    const text = this.raw(key);
    if (text === undefined) return fallback;
    if (!/^-?\d+$/.test(text)) throw invalid(key, `must be an integer (got ${shown(text)})`);
    const value = Number(text);
    if (bounds.min !== undefined && value < bounds.min) throw invalid(key, `must be >= ${bounds.min} (got ${value})`);
    if (bounds.max !== undefined && value > bounds.max) throw invalid(key, `must be <= ${bounds.max} (got ${value})`);
    return value;
  }

  bool(key: string, fallback: boolean): boolean {
    const text = this.raw(key)?.toLowerCase();
    if (text === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(text)) return true;
    if (['false', '0', 'no', 'off'].includes(text)) return false;
    throw invalid(key, `must be true or false (got ${shown(text)})`);
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const text = this.raw(key);
    if (text === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(text)) {
      throw invalid(key, `must be one of ${allowed.join(', ')} (got ${shown(text)})`);
    }
    return text as T;
  }

  /** A secret: presence checked, value never echoed. */
  secret(key: string): string | undefined {
    return this.raw(key);
  }
}

function hasGetter(source: EnvSource): source is { get(key: string): unknown } {
  return typeof (source as { get?: unknown }).get === 'function';
}

/**
 * A bad value is echoed only when short: a secret pasted into the wrong variable (Deribit secrets
 * are 40+ characters) must not land in a startup error or a log.
 */
function shown(text: string): string {
  return text.length <= 16 ? JSON.stringify(text) : `a ${text.length}-character value, not shown`;
}

function invalid(key: string, why: string): ExchangeConnectionError {
  return new ExchangeConnectionError('INVALID_CONFIG', `${key} ${why}`);
}
