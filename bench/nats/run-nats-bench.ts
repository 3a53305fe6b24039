/**
 * `npm run bench:nats` (needs a NATS server with JetStream; BENCH_NATS_URL, default
 * nats://127.0.0.1:4222): failover time of coordinated replicas (separate processes: kill →
 * ready on the new owner) and the latency the NATS fan-out adds over the single-process path.
 * Knobs: BENCH_NATS_TTL_MS (2000), BENCH_NATS_REPEATS (3), BENCH_NATS_MESSAGES (2000).
 */
import { machineInfo } from '../support/machine-info.js';
import { median } from '../support/stats.js';
import { measureNats } from './nats-bench.js';

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const natsUrl = process.env['BENCH_NATS_URL'] ?? 'nats://127.0.0.1:4222';

const machine = machineInfo();
console.log(`machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; NATS ${natsUrl}`);
const { ttlMs, renewIntervalMs, fanOut, failover } = await measureNats({
  natsUrl,
  ttlMs: env('BENCH_NATS_TTL_MS', 2_000),
  repeats: env('BENCH_NATS_REPEATS', 3),
  messages: env('BENCH_NATS_MESSAGES', 2_000),
  log: (line) => console.log(line),
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
