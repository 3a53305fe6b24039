/**
 * Profiling aid: one consumer path under a backlog, repeated, e.g.
 *   node --expose-gc --cpu-prof --cpu-prof-dir=bench/results/profiles dist/bench/profile-path.js supervised
 */
import { RemoteExchanges } from './support/remote-exchange.js';
import { throughputRun, type PathName } from './throughput.js';

const path = (process.argv[2] ?? 'supervised') as PathName;
const runs = Number(process.argv[3] ?? 5);
const remote = await RemoteExchanges.start({ exchanges: 1, monotonicTimestamps: true });
try {
  for (let i = 0; i < runs; i += 1) {
    const run = await throughputRun(remote, path, 100_000);
    console.log(`${path}: ${Math.round(run.msgsPerSec)} msg/s, ${run.cpuUsPerMsg.toFixed(2)} µs CPU/msg`);
  }
} finally {
  await remote.stop();
}
