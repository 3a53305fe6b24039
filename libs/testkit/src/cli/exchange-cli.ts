#!/usr/bin/env node
import { BinanceTestExchange } from '../binance/binance-test-exchange.js';
import { BybitTestExchange } from '../bybit/bybit-test-exchange.js';
import { TestExchange } from '../deribit/test-exchange.js';
import type { ExchangeEvent } from '../shared/exchange-event.js';
import { startControlApi, type ControlApi, type ControllableExchange } from './control-api.js';
import { CliUsageError, EXCHANGE_CLI_USAGE, parseExchangeCliArgs, type ExchangeCliCommand } from './exchange-cli-args.js';

function logLine(event: ExchangeEvent): string {
  const at = new Date().toISOString();
  switch (event.type) {
    case 'listening':
      return `${at} listening ${event.url}`;
    case 'connection':
      return `${at} connection #${event.connectionId} from ${event.remoteAddress}:${event.remotePort}${event.route ? ` on ${event.route}` : ''}`;
    case 'close': {
      const why =
        event.serverReason === undefined ? '' : event.heartbeatTimeout ? ' (missed test_request)' : ` (${event.serverReason})`;
      return `${at} close #${event.connectionId} code=${event.code}${event.reason ? ` reason="${event.reason}"` : ''}${why}`;
    }
    case 'upgrade-rejected':
      return `${at} upgrade rejected with HTTP ${event.status}`;
    case 'stopped':
      return `${at} stopped`;
  }
}

async function startExchange(command: Extract<ExchangeCliCommand, { kind: 'run' }>): Promise<ControllableExchange> {
  const onEvent = (event: ExchangeEvent): void => console.log(logLine(event));
  if (command.venue === 'bybit') {
    const exchange = await BybitTestExchange.start({ ...command.exchange, onEvent });
    console.log(`bybit endpoints: ${Object.values(exchange.urls).join('  ')}`);
    return exchange;
  }
  if (command.venue === 'binance') {
    const exchange = await BinanceTestExchange.start({ ...command.exchange, onEvent });
    console.log(`binance endpoints: ${Object.values(exchange.urls).join('  ')}`);
    return exchange;
  }
  return TestExchange.start({ ...command.exchange, onEvent });
}

async function main(argv: readonly string[]): Promise<void> {
  let command: ExchangeCliCommand;
  try {
    command = parseExchangeCliArgs(argv);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    process.stderr.write(`exchange-testkit: ${error.message}\nRun with --help for usage.\n`);
    process.exitCode = 2;
    return;
  }
  if (command.kind === 'help') {
    process.stdout.write(`${EXCHANGE_CLI_USAGE}\n`);
    return;
  }
  const exchange = await startExchange(command);
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
  process.stderr.write(`exchange-testkit: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
