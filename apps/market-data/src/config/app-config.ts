import type { LogLevel } from '@nestjs/common';
import { EnvReader, type EnvSource } from '#exchange-connection';

/** The app's own settings (the connection's come from exchangeConnectionsFromEnv). */
export interface AppConfig {
  port: number;
  host: string;
  logLevels: LogLevel[];
  /** Unset: the app starts an embedded test exchange and connects to it. */
  deribitUrl?: string;
}

const LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Reads PORT, HOST, LOG_LEVEL, DERIBIT_URL; a bad value throws INVALID_CONFIG naming the variable. */
export function readAppConfig(source: EnvSource): AppConfig {
  const env = new EnvReader(source);
  const level = env.oneOf('LOG_LEVEL', LEVELS, 'log');
  return {
    port: env.int('PORT', 3000, { min: 0, max: 65_535 }),
    host: env.string('HOST', '127.0.0.1') ?? '127.0.0.1',
    // A level enables itself and every more severe one.
    logLevels: LEVELS.slice(0, LEVELS.indexOf(level) + 1),
    deribitUrl: env.string('DERIBIT_URL'),
  };
}
