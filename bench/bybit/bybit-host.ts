/**
 * Child-process entry: a Bybit test exchange for the benchmarks, so that the process being
 * measured pays only for the client side, as against the real venue.
 */
import { BybitTestExchange, type BybitMarket } from '@exchange-connection/testkit';
import type { BybitHostCommand, BybitHostReply, BybitHostRequest } from './bybit-host-protocol.js';

let exchange: BybitTestExchange | undefined;

function live(): BybitTestExchange {
  if (exchange === undefined) throw new Error('the Bybit host has not started');
  return exchange;
}

async function run(command: BybitHostCommand): Promise<unknown> {
  switch (command.op) {
    case 'start':
      exchange = await BybitTestExchange.start({
        port: 0,
        seed: 3,
        feedIntervalMs: 0,
        level1ResnapshotMs: 0,
        symbols: { spot: command.symbols, linear: command.symbols },
        connectionLimit: false,
        requestLogLimit: 1000,
      });
      return { spot: exchange.url('spot'), linear: exchange.url('linear'), private: exchange.url('private') };
    case 'burst': {
      let sent = 0;
      while (sent < command.total) {
        const n = Math.min(command.burst, command.total - sent);
        live().publish(command.market as BybitMarket, command.topic, n);
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

process.on('message', (message: BybitHostRequest) => {
  run(message.command).then(
    (value) => {
      process.send?.({ id: message.id, ok: true, value } satisfies BybitHostReply, () => {
        if (message.command.op === 'stop') process.disconnect?.();
      });
    },
    (error: unknown) =>
      process.send?.({
        id: message.id,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      } satisfies BybitHostReply),
  );
});
