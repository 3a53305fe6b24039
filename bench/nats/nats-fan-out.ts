import { DeribitAdapter, noJitter, type SupervisedConnectionOptions } from '@exchange-connection/core';
import { NatsCoordination, type CoordinatedConnection } from '@exchange-connection/nats';
import { TestExchange } from '@exchange-connection/testkit';
import { percentile } from '../support/stats.js';

export interface FanOutSummary {
  messages: number;
  /** Owner's own consumer (the single-process path) → the standby's consumer (through NATS), µs. */
  addedP50Us: number;
  addedP99Us: number;
}

/**
 * Two replicas in this process (one event loop, one clock): the owner's consumer sees each ticker
 * on the single-process path; the standby's sees the same ticker after the NATS hop. The added
 * latency is the difference, per message.
 */
export async function measureFanOut(options: {
  natsUrl: string;
  bucket: string;
  prefix: string;
  messages: number;
}): Promise<FanOutSummary> {
  const exchange = await TestExchange.start({ port: 0, feedIntervalMs: 5 });
  const coordinations: NatsCoordination[] = [];
  const connection = (id: string): CoordinatedConnection => {
    const coordination = new NatsCoordination({
      servers: options.natsUrl,
      instanceId: id,
      bucket: options.bucket,
      subjectPrefix: options.prefix,
      ttlMs: 5_000,
    });
    coordinations.push(coordination);
    const c = coordination.coordinate(connectionOptions(exchange.url));
    c.start();
    return c;
  };
  try {
    const owner = connection('owner');
    await owner.whenReady(30_000);
    const standby = connection('standby');
    await standby.whenReady(30_000);
    const channel = 'ticker.BTC-PERPETUAL.100ms';
    const seenByOwner = new Map<string, number>();
    const added: number[] = [];
    let warm = 0;
    const done = new Promise<void>((resolve) => {
      owner.channel$(channel).subscribe((data) => seenByOwner.set(JSON.stringify(data), performance.now()));
      standby.channel$(channel).subscribe((data) => {
        const at = performance.now();
        const key = JSON.stringify(data);
        const ownerAt = seenByOwner.get(key);
        seenByOwner.delete(key);
        if (ownerAt === undefined || (warm += 1) <= 200) return;
        added.push((at - ownerAt) * 1000);
        if (added.length >= options.messages) resolve();
      });
    });
    await done;
    return {
      messages: added.length,
      addedP50Us: Math.round(percentile(added, 50)),
      addedP99Us: Math.round(percentile(added, 99)),
    };
  } finally {
    await Promise.allSettled(coordinations.map((c) => c.close()));
    await exchange.stop();
  }
}

function connectionOptions(url: string): SupervisedConnectionOptions {
  return {
    name: 'deribit',
    url,
    venue: new DeribitAdapter({}),
    rebuild: { baseDelayMs: 20, maxBackoffMs: 200, jitter: noJitter },
  };
}
