import { readFileSync } from 'node:fs';
import { captureLogger } from '../supervisor/fixtures.js';
import { runScenario } from './run-scenario.js';
import { scenarios } from './scenarios.js';

const notes: string[] = [];

describe('fault matrix: SupervisedConnection over real sockets (TestExchange behind a FaultProxy)', () => {
  afterAll(() => {
    if (process.env.FAULT_MATRIX_NOTES === '1' && notes.length > 0) console.log(notes.join('\n'));
  });

  // Rows take about a second alone; the bound is a safety net for a machine shared with other
  // CPU-heavy work (every wait inside a row is on a condition).
  it.each(scenarios.map((s) => [s.name, s] as const))(
    '%s',
    async (_name, scenario) => {
      const logger = captureLogger();
      const ctx = await runScenario(scenario, { logger });
      notes.push(...ctx.notes.map((n) => `${scenario.name}: ${n}`));
    },
    120_000,
  );

  it('README table lists every row', () => {
    const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
    const missing = scenarios.filter((s) => !readme.includes(`| ${s.name} |`)).map((s) => s.name);
    expect(missing).toEqual([]);
  });
});
