/**
 * `npm run bench:frames`: only the in-process frame-path measurement (see frame-path.ts), for
 * checking a change to the per-frame code without the whole benchmark. BENCH_FRAMES, BENCH_ROUNDS.
 */
import { measureFramePath } from './frame-path.js';
import { round } from './support/stats.js';

const result = await measureFramePath({
  frames: Number(process.env.BENCH_FRAMES ?? 40_000),
  rounds: Number(process.env.BENCH_ROUNDS ?? 25),
  log: (line) => console.log(line),
});
for (const p of result.paths) {
  console.log(`${p.path}: ${round(p.cpuNsPerFrame, 0)} ns CPU/frame (wall ${round(p.wallNsPerFrame, 0)} ns)`);
}
console.log(
  `added over raw (paired median): client ${round(result.addedNs.client, 0)} ns, supervised ${round(result.addedNs.supervised, 0)} ns`,
);
