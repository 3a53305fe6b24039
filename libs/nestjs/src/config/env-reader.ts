import { ExchangeConnectionError } from '@exchange-connection/core';
import { type EnvSource, readEnv } from './env-source.js';
import { shownValue } from './shown-value.js';

/**
 * Typed reads of an app's own environment variables (PORT, LOG_LEVEL, …), with the library's rules:
 * every failure names the variable, and a bad value is shown only when short. The library's own
 * variables are read by exchangeConnectionsFromEnv against the config schema instead.
 */
export class EnvReader {
  constructor(private readonly source: EnvSource) {}

  raw(key: string): string | undefined {
    return readEnv(this.source, key);
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
    if (!/^-?\d+$/.test(text)) throw invalid(key, `must be an integer (got ${shownValue(text)})`);
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
    throw invalid(key, `must be true or false (got ${shownValue(text)})`);
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const text = this.raw(key);
    if (text === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(text)) {
      throw invalid(key, `must be one of ${allowed.join(', ')} (got ${shownValue(text)})`);
    }
    return text as T;
  }

  /** A secret: presence checked, value never echoed. */
  secret(key: string): string | undefined {
    return this.raw(key);
  }
}

export type { EnvSource };

function invalid(key: string, why: string): ExchangeConnectionError {
  return new ExchangeConnectionError('INVALID_CONFIG', `${key} ${why}`);
}
