#!/usr/bin/env node
import { TestExchange } from '../deribit/test-exchange.js';
import type { TestExchangeEvent } from '../deribit/test-exchange-options.js';
import { startControlApi, type ControlApi } from './control-api.js';
import { CliUsageError, EXCHANGE_CLI_USAGE, parseExchangeCliArgs } from './exchange-cli-args.js';

function logLine(event: TestExchangeEvent): string {
  const at = new Date().toISOString();
  switch (event.type) {
    case 'listening':
      return `${at} listening ${event.url}`;
    case 'connection':
      return `${at} connection #${event.connectionId} from ${event.remoteAddress}:${event.remotePort}`;
    case 'close':
      return `${at} close #${event.connectionId} code=${event.code}${event.reason ? ` reason="${event.reason}"` : ''}${event.heartbeatTimeout ? ' (missed test_request)' : ''}`;
    case 'upgrade-rejected':
      return `${at} upgrade rejected with HTTP ${event.status}`;
    case 'stopped':
      return `${at} stopped`;
  }
}

async function main(argv: readonly string[]): Promise<void> {
  let command;
  try {
    command = parseExchangeCliArgs(argv);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    process.stderr.write(`exchange: ${error.message}\nRun with --help for usage.\n`);
    process.exitCode = 2;
    return;
  }
  if (command.kind === 'help') {
    process.stdout.write(`${EXCHANGE_CLI_USAGE}\n`);
    return;
  }
  const exchange = await TestExchange.start({ ...command.exchange, onEvent: (event) => console.log(logLine(event)) });
  let control: ControlApi | undefined;
  if (command.controlPort !== undefined) {
    control = await startControlApi(exchange, command.controlPort);
    console.log(`control API on http://127.0.0.1:${control.port} (GET / lists routes)`);
  }
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping`);
    void Promise.all([control?.close(), exchange.stop()]).then(() => {
      process.exitCode = 0;
    });
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`exchange: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
