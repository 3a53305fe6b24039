import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { exchangeConnectionsFromEnv } from '#exchange-connection';
import { readAppConfig } from './config/app-config.js';
import { createMarketDataApp } from './bootstrap.js';
import type { AppModuleOptions } from './app.module.js';
import { embeddedConnectionOptions, startEmbeddedExchange } from './embedded/embedded-exchange.js';

/**
 * `npm start`. With DERIBIT_URL set, every connection setting comes from the environment
 * (.env.example). Without it, an embedded test exchange is started and used, so the app runs
 * with no network and no credentials.
 */
async function main(): Promise<void> {
  // Read .env before deciding on the embedded exchange (ConfigModule would load it only later);
  // variables already set in the environment win, as with ConfigModule.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = readAppConfig(process.env);
  Logger.overrideLogger(config.logLevels);
  const logger = new Logger('market-data');
  let appOptions: AppModuleOptions = {};
  if (config.deribitUrl !== undefined) {
    // Validated here too so a bad variable ends the process with one line naming it, before Nest
    // starts; the module then reads the same values through ConfigService.
    exchangeConnectionsFromEnv(process.env);
  } else {
    const embedded = await startEmbeddedExchange();
    logger.log(`DERIBIT_URL is unset: using an embedded test exchange at ${embedded.exchange.url}`);
    appOptions = {
      connections: embeddedConnectionOptions(embedded.exchange.url, embedded.credentials),
      onShutdown: [{ name: 'embedded exchange', run: () => embedded.exchange.stop() }],
    };
  }
  const { httpUrl, streamUrl } = await createMarketDataApp({
    ...appOptions,
    port: config.port,
    host: config.host,
    logger: config.logLevels,
    shutdownHooks: true,
  });
  logger.log(`listening: ${httpUrl}/health, ${httpUrl}/health/ready, ${streamUrl}`);
}

main().catch((error: unknown) => {
  // Config errors name the variable and never carry its value when it is a secret.
  console.error(`market-data failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
