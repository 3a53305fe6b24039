/**
 * The NATS rows of `npm run bench` and `npm run bench:nats` (a NATS server with JetStream at
 * BENCH_NATS_URL, default nats://127.0.0.1:4222): failover of coordinated replicas (separate
 * processes: kill → ready on the new owner, SIGTERM handover) and the latency the fan-out adds over
 * the single-process path. Each run uses its own buckets and subjects and deletes them after.
 */
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { measureFailover } from './nats-failover.js';
import { measureFanOut } from './nats-fan-out.js';

export interface NatsBenchOptions {
  natsUrl: string;
  ttlMs: number;
  repeats: number;
  messages: number;
  log: (line: string) => void;
}

export interface NatsBenchResult {
  ttlMs: number;
  renewIntervalMs: number;
  fanOut: Awaited<ReturnType<typeof measureFanOut>>;
  failover: Awaited<ReturnType<typeof measureFailover>>;
}

export async function measureNats(options: NatsBenchOptions): Promise<NatsBenchResult> {
  const { natsUrl, ttlMs, repeats, messages, log } = options;
  const renewIntervalMs = Math.floor(ttlMs / 3);
  const run = `bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const buckets = [`${run}_fanout`, `${run}_failover`] as const;
  try {
    log('fan-out: owner consumer vs standby consumer (NATS hop), one process…');
    const fanOut = await measureFanOut({ natsUrl, bucket: buckets[0], prefix: `${run}_fanout`, messages });
    log(`failover: owner + standby as processes, TTL ${ttlMs} ms, renew ${renewIntervalMs} ms, ${repeats}× each…`);
    const failover = await measureFailover({
      natsUrl,
      bucket: buckets[1],
      prefix: `${run}_failover`,
      ttlMs,
      renewIntervalMs,
      repeats,
    });
    return { ttlMs, renewIntervalMs, fanOut, failover };
  } finally {
    const nc = await connect({ servers: natsUrl });
    const jsm = await jetstreamManager(nc);
    for (const bucket of buckets) await jsm.streams.delete(`KV_${bucket}`).catch(() => undefined);
    await nc.close();
  }
}
