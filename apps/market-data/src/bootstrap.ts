import type { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { RedactingConsoleLogger, SecretRedactor } from '@exchange-connection/nestjs';
import { AppModule, type AppModuleOptions } from './app.module.js';
import type { LogFormat } from './config/app-config.js';
import { StreamWsAdapter } from './ticker/stream-ws-adapter.js';

export interface MarketDataAppOptions extends AppModuleOptions {
  port?: number;
  host?: string;
  /** Nest log levels, or false for none (tests). */
  logger?: LogLevel[] | false;
  /** json (one object per line) or text (default text). Applies to the app's and the connections' logs. */
  logFormat?: LogFormat;
  /** Replaces stdout/stderr for JSON lines (tests capture the app's log here). */
  logWrite?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Install SIGTERM/SIGINT handlers that close the app (a real process; not in tests). */
  shutdownHooks?: boolean;
  /** Called before the app starts (and connects): the place to subscribe to `events$` from the first event. */
  beforeListen?: (app: INestApplication) => void | Promise<void>;
}

export interface MarketDataApp {
  app: INestApplication;
  /** http://host:port of the listening app. */
  httpUrl: string;
  /** ws://host:port/stream */
  streamUrl: string;
}

/** Paths the app serves, for the startup line and the README. */
export const OPERATOR_PATHS = ['/health', '/health/ready', '/metrics', '/status'] as const;

/** Builds and starts the app; shared by main.ts, the demo and the e2e tests. */
export async function createMarketDataApp(options: MarketDataAppOptions = {}): Promise<MarketDataApp> {
  const { port, host: wantedHost, logger, logFormat, logWrite, shutdownHooks, beforeListen, ...moduleOptions } = options;
  // One redactor for the app's own lines and the connections' (which register their secrets in it).
  const redactor = moduleOptions.redactor ?? new SecretRedactor();
  const appLogger =
    logger === false
      ? false
      : new RedactingConsoleLogger({
          json: logFormat === 'json',
          logLevels: logger ?? ['fatal', 'error', 'warn', 'log'],
          redactor,
          write: logWrite,
        });
  // abortOnError false: a bad variable reaches the caller as one error naming it, not a process exit.
  const app = await NestFactory.create(AppModule.forRoot({ ...moduleOptions, redactor }), {
    logger: appLogger,
    abortOnError: false,
  });
  // The gateway reads raw frames itself (so it can answer bad ones); the adapter's own JSON
  // dispatch would only parse every frame a second time.
  app.useWebSocketAdapter(new StreamWsAdapter(app, { messageParser: () => undefined }));
  if (shutdownHooks) app.enableShutdownHooks();
  const host = wantedHost ?? '127.0.0.1';
  try {
    await beforeListen?.(app);
    await app.listen(port ?? 0, host);
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.getHttpServer().address() as { port: number } | string | null;
  if (address === null || typeof address === 'string') throw new Error('market-data: the HTTP server has no TCP address');
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    app,
    httpUrl: `http://${shownHost}:${address.port}`,
    streamUrl: `ws://${shownHost}:${address.port}/stream`,
  };
}
