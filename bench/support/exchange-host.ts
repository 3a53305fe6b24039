/** Child-process entry: the Deribit test exchanges of the throughput, fleet and soak runs (see host-process.ts). */
import { TestExchange, type TestExchangeCounters } from '@exchange-connection/testkit';
import { monotonicMs, type HostCommand } from './exchange-host-protocol.js';
import { publishInBursts, serveHost } from './host-process.js';

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
    case 'burst':
      return publishInBursts(command.total, command.burst, (n) => publishAll(command.channel, n));
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

serveHost(run);
