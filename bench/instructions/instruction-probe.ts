/**
 * Child entry of `npm run bench:instructions`, run under `valgrind --tool=callgrind` by
 * run-instructions.ts: `<row> <raw-ws|supervised> <frames> <chunks>`.
 *
 * Opens one consumer path on the row's stream, warms it up, zeroes callgrind's counters, then feeds
 * `chunks` chunks — even ones empty, odd ones `frames` recorded frames — with a dump after each. An
 * empty chunk counts what a chunk costs besides its frames (the dump request, the timers waiting
 * on it); the parent takes the median of each kind. A chunk holds enough frames for the young
 * generation to be collected about once in it: what a path allocates is paid for in the count.
 */
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { feedFrames } from '../support/consumer-paths.js';
import { openPath, type PathName } from '../support/paired-stream.js';
import { INSTRUCTION_ROWS, recordRowFrames } from './instruction-rows.js';

/** Enough for V8 to optimize the whole path (callgrind runs it ~50× slower than native). */
const WARM_UP_FRAMES = 200_000;
/** callgrind_control talks to callgrind through files it polls: give it time to act. */
const SETTLE_MS = 300;

const [rowName, pathName, framesArg, chunksArg] = process.argv.slice(2);
const row = INSTRUCTION_ROWS.find((r) => r.name === rowName);
if (row === undefined || (pathName !== 'raw-ws' && pathName !== 'supervised')) {
  console.error(
    `usage: instruction-probe <${INSTRUCTION_ROWS.map((r) => r.name).join('|')}> <raw-ws|supervised> <frames> <chunks>`,
  );
  process.exit(2);
}
const frames = Number(framesArg ?? 40_000);
const chunks = Number(chunksArg ?? 8);

/** Asks the callgrind running this process to act (`-z` zero, `-d` dump), and lets it. */
async function callgrind(command: '-z' | '-d'): Promise<void> {
  execFileSync('callgrind_control', [command, String(process.pid)], { stdio: 'ignore' });
  await sleep(SETTLE_MS);
}

const exchange = await row.start();
try {
  const recorded = await recordRowFrames(row, exchange, 100);
  const path = await openPath(row.venue, exchange.urls, row.stream, pathName as PathName);
  try {
    // Not emitFrames: its GC per call would land in every chunk, empty ones too.
    await feedFrames(path, path.sink, recorded, WARM_UP_FRAMES);
    await callgrind('-z');
    for (let chunk = 0; chunk < chunks; chunk += 1) {
      await feedFrames(path, path.sink, recorded, chunk % 2 === 0 ? 0 : frames);
      await callgrind('-d');
    }
  } finally {
    await path.close();
  }
} finally {
  await exchange.stop();
}
