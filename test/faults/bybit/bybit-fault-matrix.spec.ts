import { readFileSync } from 'node:fs';
import { captureLogger } from '../../supervisor/fixtures.js';
import { BybitFaultHarness } from './bybit-fault-harness.js';
import { bybitScenarios, type BybitFaultScenario } from './bybit-scenarios.js';

/**
 * Start → both connections ready with data on every topic → setup → inject → shared invariants
 * (nothing lost, nothing duplicated, one layer reconnecting, a fresh expires per auth) → expect →
 * close → nothing leaked.
 */
export async function runBybitScenario(scenario: BybitFaultScenario, logger = captureLogger()): Promise<BybitFaultHarness> {
  const ctx = await BybitFaultHarness.start(scenario.config, logger);
  try {
    for (const leg of Object.values(ctx.legs)) await leg.connection.whenReady(5_000);
    await ctx.waitForData(2);
    await scenario.setup?.(ctx);
    await scenario.inject(ctx);
    await ctx.assertRecoveredInvariants(scenario.limits);
    await scenario.expect?.(ctx);
    await ctx.closeAndAssertNoLeaks();
    return ctx;
  } finally {
    await ctx.close();
  }
}

const notes: string[] = [];

describe('fault matrix, Bybit: two SupervisedConnections (linear, private) over real sockets (BybitTestExchange behind a FaultProxy)', () => {
  afterAll(() => {
    if (process.env.FAULT_MATRIX_NOTES === '1' && notes.length > 0) console.log(notes.join('\n'));
  });

  // Rows take about a second alone; the bound is a safety net for a machine shared with other
  // CPU-heavy work (every wait inside a row is on a condition).
  it.each(bybitScenarios.map((s) => [s.name, s] as const))(
    '%s',
    async (_name, scenario) => {
      const logger = captureLogger();
      const ctx = await runBybitScenario(scenario, logger);
      notes.push(...ctx.notes.map((n) => `${scenario.name}: ${n}`));
      const secretLines = logger.lines.filter((line) => line.includes('fault-secret-456'));
      expect(secretLines).toEqual([]);
    },
    120_000,
  );

  it('README table lists every row', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const missing = bybitScenarios.filter((s) => !readme.includes(`| ${s.name} |`)).map((s) => s.name);
    expect(missing).toEqual([]);
  });
});
