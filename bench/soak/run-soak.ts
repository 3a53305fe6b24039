/**
 * `npm run soak`: 10,000 drop/rebuild cycles with 50 subscriptions (SOAK_CYCLES, SOAK_SUBSCRIPTIONS
 * override). Exits 1 when heap grows 5 % or more between the first and last tenth of the run, or
 * when handles or listener counts differ. Writes bench/results/soak.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { runSoak } from './soak-cycles.js';

const cycles = Number(process.env.SOAK_CYCLES ?? 10_000);
const subscriptions = Number(process.env.SOAK_SUBSCRIPTIONS ?? 50);
console.log(
  `soak: ${cycles} drop/rebuild cycles, ${subscriptions} subscriptions (exchange terminate and proxy RST alternating; exchange in a child process)`,
);
const result = await runSoak({
  cycles,
  subscriptions,
  sampleEvery: Math.max(1, Math.floor(cycles / 200)),
  exchange: 'child-process',
  log: console.log,
});
const heapOk = result.heapGrowth < 0.05;
const handlesOk = Object.keys(result.resourceChanges).length === 0;
const pass = heapOk && handlesOk && result.listenersFlat && result.reconnects === cycles;
const { samples, ...summary } = result;
console.log(JSON.stringify(summary, null, 2));
console.log(
  `soak ${pass ? 'PASS' : 'FAIL'}: ${cycles} cycles in ${(result.durationMs / 1000).toFixed(1)} s ` +
    `(${result.cyclesPerSec.toFixed(0)}/s); heap ${result.first.heapMedianMb.toFixed(2)} → ${result.last.heapMedianMb.toFixed(2)} MB ` +
    `(${(result.heapGrowth * 100).toFixed(2)} %, limit 5 %); handles ${handlesOk ? 'flat' : JSON.stringify(result.resourceChanges)}; ` +
    `listeners ${result.listenersFlat ? 'flat' : 'CHANGED'}; reconnects ${result.reconnects}`,
);
const dir = new URL('../../../bench/results/', import.meta.url);
await mkdir(dir, { recursive: true });
const file = new URL('soak.json', dir);
await writeFile(file, JSON.stringify({ ...summary, samples }, null, 1));
console.log(`wrote ${file.pathname}`);
process.exitCode = pass ? 0 : 1;
