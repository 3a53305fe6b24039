/**
 * Child-process entry: runs test exchanges so that the process being measured pays only for the
 * client side (CPU, RSS, handles), the way it would against a real venue.
 */
import { TestExchange, type TestExchangeCounters } from '@exchange-connection/testkit';
import { monotonicMs, type HostCommand, type HostReply, type HostRequest } from './exchange-host-protocol.js';

let exchanges: TestExchange[] = [];

function sumCounters(): TestExchangeCounters {
  const total = {} as Record<string, number>;
  for (const exchange of exchanges) {
    for (const [key, value] of Object.entries(exchange.counters)) total[key] = (total[key] ?? 0) + value;
  }
  return total as unknown as TestExchangeCounters;
}

function publishAll(channel: string, count: number): number {
  let recipients = 0;
  for (const exchange of exchanges) recipients += exchange.publish(channel, count);
  return recipients;
}

async function run(command: HostCommand): Promise<unknown> {
  switch (command.op) {
    case 'start': {
      const { options } = command;
      const now = options.monotonicTimestamps ? monotonicMs : Date.now;
      exchanges = await Promise.all(
        Array.from({ length: options.exchanges }, () =>
          TestExchange.start({
            port: 0,
            seed: options.seed ?? 1,
            feedIntervalMs: 0,
            minHeartbeatIntervalSec: options.minHeartbeatIntervalSec ?? 10,
            instruments: options.instruments,
            requestLogLimit: 1000,
            now,
          }),
        ),
      );
      return exchanges.map((e) => e.url);
    }
    case 'publish':
      return publishAll(command.channel, command.count);
    case 'burst': {
      let sent = 0;
      while (sent < command.total) {
        const n = Math.min(command.burst, command.total - sent);
        publishAll(command.channel, n);
        sent += n;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      return sent;
    }
    case 'paced': {
      for (let tick = 0; tick < command.ticks; tick += 1) {
        publishAll(command.channel, command.perTick);
        await new Promise<void>((resolve) => setTimeout(resolve, command.intervalMs));
      }
      return command.ticks * command.perTick;
    }
    case 'terminateAll':
      for (const exchange of exchanges) exchange.terminateAll();
      return monotonicMs();
    case 'connections':
      return exchanges.reduce((n, e) => n + e.connections().length, 0);
    case 'counters':
      return sumCounters();
    case 'resetCounters':
      for (const exchange of exchanges) exchange.resetCounters();
      return true;
    case 'stop':
      await Promise.all(exchanges.map((e) => e.stop()));
      exchanges = [];
      return true;
  }
}

process.on('message', (message: HostRequest) => {
  run(message.command).then(
    (value) => {
      // After 'stop' nothing is left but the IPC channel; closing it lets the process exit.
      process.send?.({ id: message.id, ok: true, value } satisfies HostReply, () => {
        if (message.command.op === 'stop') process.disconnect?.();
      });
    },
    (error: unknown) =>
      process.send?.({
        id: message.id,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      } satisfies HostReply),
  );
});
