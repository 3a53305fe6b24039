import {
  type ExchangeConnectionConfig,
  RedactingConsoleLogger,
  exchangeConnectionsFromEnv,
  envPrefixFor,
} from '@exchange-connection/nestjs';
import type { AppModuleOptions } from './app.module.js';
import { type MarketDataApp, OPERATOR_PATHS, createMarketDataApp } from './bootstrap.js';
import { readAppConfig } from './config/app-config.js';
import { type ExchangeSource, EMBEDDED_URL, resolveExchangeSource } from './config/exchange-source.js';
import { startupRedactor } from './config/startup-redactor.js';
import { type AppConnection, defaultVenueOf, readAppConnections } from './config/app-connections.js';
import {
  EMBEDDED_SWEEP_INTERVAL_MS,
  embeddedBinanceConnection,
  embeddedBybitConnection,
  embeddedDeribitConnection,
  startEmbeddedBinanceExchange,
  startEmbeddedBybitExchange,
  startEmbeddedExchange,
} from './embedded/embedded-exchange.js';
import type { ShutdownTask } from './shutdown-tasks.js';
import { type AppVenueName, refuseUnservedMarket } from './venues/app-venues.js';

export interface StartFromEnvOptions {
  /** JSON log lines go here instead of stdout (tests). */
  logWrite?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** SIGTERM/SIGINT close the app (a real process). */
  shutdownHooks?: boolean;
}

export interface StartedFromEnv extends MarketDataApp {
  /** Where the first connection's data comes from (the single-connection app's field). */
  source: ExchangeSource;
  /** Where each connection's data comes from, by name. */
  sources: Record<string, ExchangeSource>;
}

/** Stand in for a URL while the other variables are checked; never connected to. */
const PLACEHOLDER_URLS: Readonly<Record<AppVenueName, string>> = {
  deribit: 'ws://127.0.0.1/embedded-test-exchange',
  // The path names a market, so BYBIT_MARKET may stay unset as with a real URL.
  bybit: 'ws://127.0.0.1/v5/public/linear',
  binance: 'ws://127.0.0.1/stream',
};

/** How each venue is named in the startup lines. */
const VENUE_TITLES: Readonly<Record<AppVenueName, string>> = { deribit: 'Deribit', bybit: 'Bybit', binance: 'Binance' };

/** An example endpoint per venue, for the line that says the embedded exchange is used. */
const VENUE_EXAMPLES: Readonly<Record<AppVenueName, string>> = {
  deribit: 'wss://test.deribit.com/ws/api/v2',
  bybit: 'wss://stream-testnet.bybit.com/v5/public/linear',
  binance: 'wss://stream.testnet.binance.vision/stream',
};

/**
 * `npm start` without the process around it: reads the app's and the connections' variables from
 * `env` (EXCHANGE_CONNECTIONS names the connections, default deribit), applies the
 * embedded-exchange rule to each (config/exchange-source.ts), says plainly which exchange each
 * uses, and starts the app. A bad variable rejects with INVALID_CONFIG naming it.
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
  const connections = readAppConnections(env);
  const sources = Object.fromEntries(connections.map((c) => [c.name, resolveExchangeSource(env, c.name)]));
  const embedded = connections.filter((c) => sources[c.name]?.kind === 'embedded');
  // Every variable is checked, the embedded connections' too (with a stand-in URL), before anything starts.
  const checked = { ...env };
  for (const c of embedded) {
    const prefix = envPrefixFor(c.name);
    checked[`${prefix}URL`] = PLACEHOLDER_URLS[c.venue];
    // The test exchange signs in with its own account (set credentials are ignored): stand-ins,
    // so that a market that needs credentials is checked as the embedded connection will run.
    checked[`${prefix}CLIENT_ID`] = 'embedded-test-account';
    checked[`${prefix}CLIENT_SECRET`] = 'embedded-test-account';
  }
  const fromEnv = exchangeConnectionsFromEnv(
    checked,
    connections.map((c) => c.name),
    { defaultVenue: defaultVenueOf },
  );
  // Before any test exchange starts; an embedded one is checked too (it would ignore the market).
  for (const config of fromEnv.connections) {
    const prefix = envPrefixFor(config.name);
    const where = sources[config.name]?.kind === 'embedded' ? `change ${prefix}MARKET` : `change ${prefix}URL or ${prefix}MARKET`;
    refuseUnservedMarket(config, where);
  }
  const onShutdown: ShutdownTask[] = [];
  const configs: ExchangeConnectionConfig[] = [];
  try {
    for (const [i, c] of connections.entries()) {
      const source = sources[c.name] as ExchangeSource;
      if (source.kind === 'venue') {
        configs.push(fromEnv.connections[i] as ExchangeConnectionConfig);
        continue;
      }
      const envConfig = fromEnv.connections[i] as ExchangeConnectionConfig;
      const started = await startEmbedded(c, onShutdown, envConfig);
      configs.push(withEnvRotation(started.config, envConfig));
      sayEmbedded(logger, context, c, source, started.url);
    }
  } catch (error) {
    await Promise.all(onShutdown.map((task) => task.run().catch(() => undefined)));
    throw error;
  }
  const appOptions: AppModuleOptions = {
    connections: {
      ...fromEnv,
      // Faults on a local test exchange are found within about a second, unless the sweep is set.
      sweepIntervalMs:
        embedded.length > 0 && env.EXCHANGE_SWEEP_INTERVAL_MS === undefined
          ? EMBEDDED_SWEEP_INTERVAL_MS
          : fromEnv.sweepIntervalMs,
      connections: configs,
    },
    testExchange: embedded.map((c) => c.name),
    onShutdown,
  };
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
    // The app never started, so its shutdown tasks never run: stop the exchanges here.
    await Promise.all(onShutdown.map((task) => task.run().catch(() => undefined)));
    throw error;
  }
  logger.log(`listening: ${OPERATOR_PATHS.map((path) => started.httpUrl + path).join(', ')}, ${started.streamUrl}`, context);
  return { ...started, source: sources[connections[0]?.name ?? ''] as ExchangeSource, sources };
}

/** The venue's test exchange in this process, and the connection config for it. */
async function startEmbedded(
  connection: AppConnection,
  onShutdown: ShutdownTask[],
  envConfig: ExchangeConnectionConfig,
): Promise<{ config: ExchangeConnectionConfig; url: string }> {
  switch (connection.venue) {
    case 'deribit': {
      const embedded = await startEmbeddedExchange();
      onShutdown.push({ name: `embedded exchange (${connection.name})`, run: () => embedded.exchange.stop() });
      const url = embedded.exchange.url;
      return { config: embeddedDeribitConnection(connection.name, url, embedded.credentials), url };
    }
    case 'bybit': {
      const embedded = await startEmbeddedBybitExchange();
      onShutdown.push({ name: `embedded Bybit exchange (${connection.name})`, run: () => embedded.exchange.stop() });
      return { config: embeddedBybitConnection(connection.name, embedded), url: embedded.exchange.url(embedded.market) };
    }
    case 'binance': {
      // {NAME}_MAX_SOCKET_LIFETIME_MS makes the test exchange cut sockets that early, as Binance does
      // at 24 h: the rotation ahead of the cut can be watched on /status and /metrics.
      const exchange = await startEmbeddedBinanceExchange({ connectionLifetimeMs: envConfig.binance?.maxSocketLifetimeMs });
      onShutdown.push({ name: `embedded Binance exchange (${connection.name})`, run: () => exchange.stop() });
      return { config: embeddedBinanceConnection(connection.name, exchange), url: exchange.urls.spotCombined };
    }
  }
}

/**
 * An embedded connection keeps its own bounds and test account, but takes the rotation settings
 * of its variables ({NAME}_ROTATION_*, {NAME}_ROTATE_AFTER_MS, Binance's lifetime), already checked
 * against its venue: rotation can be tried out without a venue account.
 */
function withEnvRotation(config: ExchangeConnectionConfig, envConfig: ExchangeConnectionConfig): ExchangeConnectionConfig {
  const lifetime = envConfig.binance?.maxSocketLifetimeMs;
  return {
    ...config,
    rotation: envConfig.rotation,
    ...(config.binance !== undefined && lifetime !== undefined
      ? { binance: { ...config.binance, maxSocketLifetimeMs: lifetime } }
      : {}),
  };
}

function sayEmbedded(
  logger: RedactingConsoleLogger,
  context: string,
  connection: AppConnection,
  source: Extract<ExchangeSource, { kind: 'embedded' }>,
  url: string,
): void {
  const urlKey = `${envPrefixFor(connection.name)}URL`;
  const title = VENUE_TITLES[connection.venue];
  if (source.ignored.length > 0) {
    logger.warn(`${source.ignored.join(', ')} ignored: the embedded test exchange has its own random test account`, context);
  }
  if (source.asked) {
    logger.log(
      `${urlKey}=${EMBEDDED_URL}: using the embedded test exchange at ${url} (seeded fake prices, not ${title})`,
      context,
    );
    return;
  }
  logger.warn(
    `${urlKey} is not set: using the EMBEDDED TEST EXCHANGE at ${url} — seeded FAKE prices, not ${title}. ` +
      `Set ${urlKey} to a venue (e.g. ${VENUE_EXAMPLES[connection.venue]}) for real data, or ${urlKey}=${EMBEDDED_URL} ` +
      'to ask for the test exchange explicitly. Never with NODE_ENV=production.',
    context,
  );
}
