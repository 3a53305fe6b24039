/**
 * `npm run bench:instructions`: the library's work per frame counted in instructions, which a busy
 * or throttled VM does not change (wall-clock ratios on a shared VM move ±10 % run to run). For each
 * row (instruction-rows.ts), each consumer path runs in its own process under callgrind
 * (instruction-probe.ts); per frame = (median chunk of frames − median empty chunk) ÷ frames.
 * The frames are fed in-process, so the network's share (socket reads, ws framing), which both
 * paths pay alike, is not in the raw figure (time per instruction differs between the paths, so
 * the loopback ratio is not bounded by this one: bench/README.md).
 * Needs valgrind. BENCH_INSTRUCTION_FRAMES (40000), BENCH_INSTRUCTION_CHUNKS (8), BENCH_INSTRUCTION_ROWS
 * (comma list: deribit, binance, bybit; default all).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { median } from '../support/stats.js';
import { INSTRUCTION_ROWS } from './instruction-rows.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const frames = Number(process.env.BENCH_INSTRUCTION_FRAMES ?? 40_000);
const chunks = Number(process.env.BENCH_INSTRUCTION_CHUNKS ?? 8);
/** Comma list of row names to run (default: every row). */
const only = process.env.BENCH_INSTRUCTION_ROWS?.split(',').map((name) => name.trim());

try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
} catch {
  console.error('bench:instructions needs valgrind (Debian: apt-get install valgrind); nothing measured.');
  process.exit(2);
}

/** Total instructions of each dump, in dump order. */
function dumpTotals(dir: string): number[] {
  const dumps = readdirSync(dir)
    .map((file) => ({ file, part: Number(/^cg\.\d+\.(\d+)$/.exec(file)?.[1]) }))
    // cg.<pid>.<n> is the n-th dump asked for; cg.<pid> alone is the one at exit.
    .filter((d) => Number.isInteger(d.part))
    .sort((a, b) => a.part - b.part);
  return dumps.map(({ file }) => {
    const summary = /^summary:\s+(\d+)/m.exec(readFileSync(join(dir, file), 'utf8'));
    if (summary === null) throw new Error(`${file}: no summary line`);
    return Number(summary[1]);
  });
}

async function perFrame(row: string, path: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), `instructions-${row}-${path}-`));
  try {
    await run(
      'valgrind',
      [
        '--tool=callgrind',
        `--callgrind-out-file=${join(dir, 'cg.%p')}`,
        '--dump-instr=no',
        '--collect-jumps=no',
        process.execPath,
        join(here, 'instruction-probe.js'),
        row,
        path,
        String(frames),
        String(chunks),
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    const totals = dumpTotals(dir);
    if (totals.length !== chunks) throw new Error(`${row} ${path}: ${totals.length} dumps, expected ${chunks}`);
    const empty = median(totals.filter((_, i) => i % 2 === 0));
    const full = median(totals.filter((_, i) => i % 2 === 1));
    return Math.round((full - empty) / frames);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = [];
for (const row of INSTRUCTION_ROWS.filter((r) => only === undefined || only.includes(r.name))) {
  // The two paths are separate processes: run side by side (counts do not depend on the load).
  const [raw, supervised] = await Promise.all([perFrame(row.name, 'raw-ws'), perFrame(row.name, 'supervised')]);
  const ratio = supervised / raw;
  results.push({ row: row.name, stream: row.stream, raw, supervised, added: supervised - raw, ratio, target: row.target });
  console.log(
    `${row.name} ${row.stream}: raw ${raw.toLocaleString('en-US')} / supervised ${supervised.toLocaleString('en-US')} instructions per frame (+${(supervised - raw).toLocaleString('en-US')}, ${ratio.toFixed(3)}×; target ≤ ${row.target.toFixed(3)}×: ${ratio <= row.target ? 'met' : 'MISSED'})`,
  );
}
const out = new URL('../../../bench/results/', import.meta.url);
mkdirSync(out, { recursive: true });
writeFileSync(
  new URL('instructions.json', out),
  `${JSON.stringify({ at: new Date().toISOString(), frames, chunks, results }, null, 2)}\n`,
);
