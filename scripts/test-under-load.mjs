// `npm run test:load [-- --runs N] [-- <jest args>]`: the suite as CI's shared 2-core machine may
// see it. Runs Jest N times (default 3) while a CPU-heavy neighbour keeps one core busy the whole
// time, then lists every test that failed in any run with how often. A test that fails only here
// is still a defect: it waits on wall-clock margins instead of conditions.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
let runs = 3;
const runsAt = args.indexOf('--runs');
if (runsAt !== -1) {
  runs = Number(args[runsAt + 1]);
  args.splice(runsAt, 2);
  if (!Number.isInteger(runs) || runs < 1) {
    console.error('test:load: --runs takes a whole number >= 1');
    process.exit(2);
  }
}

// The neighbour: a busy loop in its own process (what another npm test or a build does to us).
const burner = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
const stopBurner = () => burner.kill('SIGKILL');
process.on('exit', stopBurner);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

const work = mkdtempSync(join(tmpdir(), 'ec-test-load-'));
const failures = new Map();
const totals = [];
try {
  for (let run = 1; run <= runs; run += 1) {
    const report = join(work, `run-${run}.json`);
    const totalsFile = join(work, `run-${run}.totals`);
    const code = await new Promise((resolve) => {
      const jest = spawn(
        process.execPath,
        ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', '--json', `--outputFile=${report}`, ...args],
        { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, JEST_TOTALS_FILE: totalsFile } },
      );
      jest.on('exit', (exitCode) => resolve(exitCode ?? 1));
    });
    let line = `exit ${code}, no totals`;
    try {
      line = readFileSync(totalsFile, 'utf8').trim();
      const result = JSON.parse(readFileSync(report, 'utf8'));
      for (const file of result.testResults) {
        if (file.testExecError || (file.status === 'failed' && file.assertionResults.length === 0)) {
          const key = `${file.name} (suite failed to run)`;
          failures.set(key, (failures.get(key) ?? 0) + 1);
        }
        for (const test of file.assertionResults) {
          if (test.status !== 'failed') continue;
          const key = `${file.name.replace(`${process.cwd()}/`, '')} › ${test.fullName}`;
          failures.set(key, (failures.get(key) ?? 0) + 1);
        }
      }
    } catch {
      failures.set(`run ${run}: no Jest report`, 1);
    }
    totals.push(`run ${run}/${runs} under load: ${line}`);
    console.log(`\n== ${totals.at(-1)}\n`);
  }
} finally {
  stopBurner();
  rmSync(work, { recursive: true, force: true });
}

console.log(totals.join('\n'));
if (failures.size === 0) {
  console.log(`test:load: no failure in ${runs} run(s) beside a busy core`);
} else {
  console.log('test:load: failed under load (times failed / runs):');
  for (const [test, count] of failures) console.log(`  ${count}/${runs}  ${test}`);
  process.exitCode = 1;
}
