import { RedactingConsoleLogger, exchangeConnectionsFromEnv } from '@exchange-connection/nestjs';
import type { AppModuleOptions } from './app.module.js';
import { type MarketDataApp, OPERATOR_PATHS, createMarketDataApp } from './bootstrap.js';
import { readAppConfig } from './config/app-config.js';
import { type ExchangeSource, EMBEDDED_URL, resolveExchangeSource } from './config/exchange-source.js';
import { startupRedactor } from './config/startup-redactor.js';
import { embeddedConnectionOptions, startEmbeddedExchange } from './embedded/embedded-exchange.js';
import { DERIBIT_CONNECTION } from './ticker/market-data.service.js';

export interface StartFromEnvOptions {
  /** JSON log lines go here instead of stdout (tests). */
  logWrite?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** SIGTERM/SIGINT close the app (a real process). */
  shutdownHooks?: boolean;
}

export interface StartedFromEnv extends MarketDataApp {
  source: ExchangeSource;
}

/** Stands in for the URL while the other variables are checked; never connected to. */
const PLACEHOLDER_URL = 'ws://127.0.0.1/embedded-test-exchange';

/**
 * `npm start` without the process around it: reads the app's and the connection's variables from
 * `env`, applies the embedded-exchange rule (config/exchange-source.ts), says plainly which
 * exchange it uses, and starts the app. A bad variable rejects with INVALID_CONFIG naming it.
 */
export async function startFromEnv(
  env: Record<string, string | undefined>,
  options: StartFromEnvOptions = {},
): Promise<StartedFromEnv> {
  const config = readAppConfig(env);
  const redactor = startupRedactor(env);
  const logger = new RedactingConsoleLogger({
    json: config.logFormat === 'json',
    logLevels: config.logLevels,
    redactor,
    write: options.logWrite,
  });
  const context = 'market-data';
  const source = resolveExchangeSource(env, DERIBIT_CONNECTION);
  let appOptions: AppModuleOptions;
  if (source.kind === 'venue') {
    appOptions = { connections: exchangeConnectionsFromEnv(env) };
  } else {
    // The other variables are still checked: a bad one fails here, as it would against a venue.
    exchangeConnectionsFromEnv({ ...env, DERIBIT_URL: PLACEHOLDER_URL });
    if (source.ignored.length > 0) {
      logger.warn(`${source.ignored.join(', ')} ignored: the embedded test exchange has its own random test account`, context);
    }
    const embedded = await startEmbeddedExchange();
    const url = embedded.exchange.url;
    if (source.asked) {
      logger.log(
        `DERIBIT_URL=${EMBEDDED_URL}: using the embedded test exchange at ${url} (seeded fake prices, not Deribit)`,
        context,
      );
    } else {
      logger.warn(
        `DERIBIT_URL is not set: using the EMBEDDED TEST EXCHANGE at ${url} — seeded FAKE prices, not Deribit. ` +
          `Set DERIBIT_URL to a venue (e.g. wss://test.deribit.com/ws/api/v2) for real data, or DERIBIT_URL=${EMBEDDED_URL} ` +
          'to ask for the test exchange explicitly. Never with NODE_ENV=production.',
        context,
      );
    }
    appOptions = {
      connections: embeddedConnectionOptions(url, embedded.credentials),
      testExchange: [DERIBIT_CONNECTION],
      onShutdown: [{ name: 'embedded exchange', run: () => embedded.exchange.stop() }],
    };
  }
  let started: MarketDataApp;
  try {
    started = await createMarketDataApp({
      ...appOptions,
      port: config.port,
      host: config.host,
      logger: config.logLevels,
      logFormat: config.logFormat,
      logWrite: options.logWrite,
      redactor,
      shutdownHooks: options.shutdownHooks,
    });
  } catch (error) {
    // The app never started, so its shutdown tasks never run: stop the exchange here.
    await Promise.all((appOptions.onShutdown ?? []).map((task) => task.run().catch(() => undefined)));
    throw error;
  }
  logger.log(`listening: ${OPERATOR_PATHS.map((path) => started.httpUrl + path).join(', ')}, ${started.streamUrl}`, context);
  return { ...started, source };
}
