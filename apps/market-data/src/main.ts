import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { RedactingConsoleLogger, SecretRedactor } from '@exchange-connection/nestjs';
import { readAppConfig } from './config/app-config.js';
import { startupRedactor } from './config/startup-redactor.js';
import { logUnhandledRxjsErrors } from './rxjs-unhandled-errors.js';
import { startFromEnv } from './start-from-env.js';

/**
 * `npm start`. With DERIBIT_URL set to a venue, every connection setting comes from the environment
 * (.env.example). `DERIBIT_URL=embedded`, or no DERIBIT_URL at all outside production, runs an
 * embedded test exchange instead and says so (apps/market-data/README.md: the embedded rule).
 */
// The process's one redactor; filled from the environment once .env is loaded.
let redactor = new SecretRedactor();

async function main(): Promise<void> {
  // Read .env first (ConfigModule would load it only later); variables already set in the
  // environment win, as with ConfigModule.
  if (existsSync('.env')) process.loadEnvFile('.env');
  redactor = startupRedactor(process.env);
  const config = readAppConfig(process.env);
  // Lines outside Nest go through the same redacting logger, same format.
  Logger.overrideLogger(new RedactingConsoleLogger({ json: config.logFormat === 'json', logLevels: config.logLevels, redactor }));
  // The net under a consumer's bug: RxJS would otherwise rethrow on a timer and Node would exit.
  logUnhandledRxjsErrors(new Logger('RxJS'));
  await startFromEnv(process.env, { shutdownHooks: true });
}

main().catch((error: unknown) => {
  // Config errors name the variable and never carry its value when it is a secret.
  const message = `market-data failed to start: ${error instanceof Error ? error.message : String(error)}`;
  console.error(redactor.redactText(message));
  process.exitCode = 1;
});
