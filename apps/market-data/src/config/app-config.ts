import type { LogLevel } from '@nestjs/common';
import { EnvReader, type EnvSource } from '@exchange-connection/nestjs';

/** The app's own settings (the connection's come from exchangeConnectionsFromEnv). */
export interface AppConfig {
  port: number;
  host: string;
  logLevels: LogLevel[];
  /** json: one JSON object per line (log shippers); text: Nest's coloured lines (a terminal). */
  logFormat: LogFormat;
}

export type LogFormat = 'json' | 'text';

const FORMATS: readonly LogFormat[] = ['json', 'text'];
const LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * Reads PORT, HOST, LOG_LEVEL, LOG_FORMAT (DERIBIT_URL: config/exchange-source.ts); a bad value throws INVALID_CONFIG naming the
 * variable. LOG_FORMAT defaults to json when NODE_ENV=production, text otherwise.
 */
export function readAppConfig(source: EnvSource): AppConfig {
  const env = new EnvReader(source);
  const level = env.oneOf('LOG_LEVEL', LEVELS, 'log');
  return {
    port: env.int('PORT', 3000, { min: 0, max: 65_535 }),
    host: env.string('HOST', '127.0.0.1') ?? '127.0.0.1',
    // A level enables itself and every more severe one.
    logLevels: LEVELS.slice(0, LEVELS.indexOf(level) + 1),
    logFormat: env.oneOf('LOG_FORMAT', FORMATS, env.raw('NODE_ENV') === 'production' ? 'json' : 'text'),
  };
}
