/**
 * Child-process entry: a Binance test exchange for the benchmarks, so that the process being
 * measured pays only for the client side, as against the real venue.
 */
import { BinanceTestExchange } from '@exchange-connection/testkit';
import type { BinanceHostCommand, BinanceHostReply, BinanceHostRequest } from './binance-host-protocol.js';

let exchange: BinanceTestExchange | undefined;

function live(): BinanceTestExchange {
  if (exchange === undefined) throw new Error('the Binance host has not started');
  return exchange;
}

async function run(command: BinanceHostCommand): Promise<unknown> {
  switch (command.op) {
    case 'start':
      exchange = await BinanceTestExchange.start({
        port: 0,
        seed: 3,
        feedIntervalMs: 0,
        symbols: { spot: command.symbols },
        connectionLimit: false,
        requestLogLimit: 1000,
      });
      return exchange.urls;
    case 'burst': {
      let sent = 0;
      while (sent < command.total) {
        const n = Math.min(command.burst, command.total - sent);
        live().publish('spot', command.stream, n);
        sent += n;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      return sent;
    }
    case 'stop':
      await exchange?.stop();
      exchange = undefined;
      return true;
  }
}

process.on('message', (message: BinanceHostRequest) => {
  run(message.command).then(
    (value) => {
      process.send?.({ id: message.id, ok: true, value } satisfies BinanceHostReply, () => {
        if (message.command.op === 'stop') process.disconnect?.();
      });
    },
    (error: unknown) =>
      process.send?.({
        id: message.id,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      } satisfies BinanceHostReply),
  );
});
