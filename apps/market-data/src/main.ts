import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { RedactingConsoleLogger, SecretRedactor, exchangeConnectionsFromEnv } from '@exchange-connection/nestjs';
import { readAppConfig } from './config/app-config.js';
import { startupRedactor } from './config/startup-redactor.js';
import { OPERATOR_PATHS, createMarketDataApp } from './bootstrap.js';
import type { AppModuleOptions } from './app.module.js';
import { embeddedConnectionOptions, startEmbeddedExchange } from './embedded/embedded-exchange.js';

/**
 * `npm start`. With DERIBIT_URL set, every connection setting comes from the environment
 * (.env.example). Without it, an embedded test exchange is started and used, so the app runs
 * with no network and no credentials.
 */
// The process's one redactor; filled from the environment once .env is loaded.
let redactor = new SecretRedactor();

async function main(): Promise<void> {
  // Read .env before deciding on the embedded exchange (ConfigModule would load it only later);
  // variables already set in the environment win, as with ConfigModule.
  if (existsSync('.env')) process.loadEnvFile('.env');
  redactor = startupRedactor(process.env);
  const config = readAppConfig(process.env);
  // Lines before Nest starts (and this file's own) go through the same redacting logger, same format.
  Logger.overrideLogger(new RedactingConsoleLogger({ json: config.logFormat === 'json', logLevels: config.logLevels, redactor }));
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
    logFormat: config.logFormat,
    redactor,
    shutdownHooks: true,
  });
  logger.log(`listening: ${OPERATOR_PATHS.map((path) => httpUrl + path).join(', ')}, ${streamUrl}`);
}

main().catch((error: unknown) => {
  // Config errors name the variable and never carry its value when it is a secret.
  const message = `market-data failed to start: ${error instanceof Error ? error.message : String(error)}`;
  console.error(redactor.redactText(message));
  process.exitCode = 1;
});
