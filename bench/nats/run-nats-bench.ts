/**
 * `npm run bench:nats` (needs a NATS server with JetStream; BENCH_NATS_URL, default
 * nats://127.0.0.1:4222): failover time of coordinated replicas (separate processes: kill →
 * ready on the new owner) and the latency the NATS fan-out adds over the single-process path.
 * Knobs: BENCH_NATS_TTL_MS (2000), BENCH_NATS_REPEATS (3), BENCH_NATS_MESSAGES (2000).
 */
import { randomBytes } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { machineInfo } from '../support/machine-info.js';
import { median } from '../support/stats.js';
import { measureFailover } from './nats-failover.js';
import { measureFanOut } from './nats-fan-out.js';

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const natsUrl = process.env['BENCH_NATS_URL'] ?? 'nats://127.0.0.1:4222';
const ttlMs = env('BENCH_NATS_TTL_MS', 2_000);
const renewIntervalMs = Math.floor(ttlMs / 3);
const repeats = env('BENCH_NATS_REPEATS', 3);
const messages = env('BENCH_NATS_MESSAGES', 2_000);
const run = `bench_${process.pid}_${randomBytes(3).toString('hex')}`;

const machine = machineInfo();
console.log(`machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; NATS ${natsUrl}`);
const buckets = [`${run}_fanout`, `${run}_failover`];
try {
  console.log('fan-out: owner consumer vs standby consumer (NATS hop), one process…');
  const fanOut = await measureFanOut({ natsUrl, bucket: buckets[0] as string, prefix: `${run}_fanout`, messages });
  console.log(`failover: owner + standby as processes, TTL ${ttlMs} ms, renew ${renewIntervalMs} ms, ${repeats}× each…`);
  const failover = await measureFailover({
    natsUrl,
    bucket: buckets[1] as string,
    prefix: `${run}_failover`,
    ttlMs,
    renewIntervalMs,
    repeats,
  });
  const rows = [
    ['fan-out added latency p50', `${fanOut.addedP50Us} µs`, `${fanOut.messages} messages`],
    ['fan-out added latency p99', `${fanOut.addedP99Us} µs`, ''],
    [
      'failover SIGKILL → ready (median)',
      `${median(failover.killToReadyMs)} ms`,
      `bound TTL + renew = ${ttlMs + renewIntervalMs} ms; all: ${failover.killToReadyMs.join(', ')}`,
    ],
    ['handover SIGTERM → ready (median)', `${median(failover.termToReadyMs)} ms`, `all: ${failover.termToReadyMs.join(', ')}`],
  ];
  for (const [metric, value, note] of rows)
    console.log(`${(metric as string).padEnd(38)} ${(value as string).padStart(10)}  ${note}`);
} finally {
  const nc = await connect({ servers: natsUrl });
  const jsm = await jetstreamManager(nc);
  for (const bucket of buckets) await jsm.streams.delete(`KV_${bucket}`).catch(() => undefined);
  await nc.close();
}
