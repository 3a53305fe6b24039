import { readFileSync } from 'node:fs';
import { captureLogger } from '../supervisor/fixtures.js';

/** What the runner needs of a fault matrix harness (Deribit, Bybit, Binance alike). */
export interface MatrixHarness<Limits> {
  readonly notes: readonly string[];
  /** Every connection of the harness ready. */
  whenAllReady(timeoutMs: number): Promise<void>;
  waitForData(atLeast?: number, timeoutMs?: number): Promise<void>;
  /** Nothing lost, nothing duplicated, one layer reconnecting. */
  assertRecoveredInvariants(limits?: Limits): Promise<void>;
  /** Close, then nothing leaked. */
  closeAndAssertNoLeaks(): Promise<void>;
  /** Idempotent; always safe in a finally. */
  close(): Promise<void>;
}

/** One row of a fault matrix. Runnable on its own: it starts and closes its own world. */
export interface MatrixScenario<Harness, Config, Limits> {
  name: string;
  /** The fault, for the README table. */
  fault: string;
  /** One line for the README table: what the row proves beyond the shared invariants. */
  asserts: string;
  /** Harness settings the row needs before anything starts. */
  config?: Config;
  /** Bounds for the shared "nothing duplicated" checks, when the row legitimately adds calls. */
  limits?: Limits;
  /** After the connections are ready and data flows, before the fault. */
  setup?(ctx: Harness): Promise<void> | void;
  /** Injects the fault and waits until it has had its effect (and any fault switch is lifted). */
  inject(ctx: Harness): Promise<void>;
  /** Row-specific checks, after recovery and the shared invariants. */
  expect?(ctx: Harness): Promise<void> | void;
}

/**
 * Start → ready with data on every channel → setup → inject → shared invariants (nothing lost,
 * nothing duplicated, one layer reconnecting) → expect → close → nothing leaked. Returns the
 * closed harness for inspection.
 */
export async function runMatrixRow<H extends MatrixHarness<L>, C, L>(
  scenario: MatrixScenario<H, C, L>,
  start: (config: C | undefined) => Promise<H>,
): Promise<H> {
  const ctx = await start(scenario.config);
  try {
    await ctx.whenAllReady(5_000);
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

/**
 * The matrix as Jest tests: one test per row (run with a capturing logger; `secret`, when given,
 * must reach no log line), and one that the README's tables list every row by name. Measurements
 * rows note are printed with FAULT_MATRIX_NOTES=1.
 */
export function matrixTests<H extends MatrixHarness<unknown>, S extends { name: string }>(
  scenarios: readonly S[],
  run: (scenario: S, logger: ReturnType<typeof captureLogger>) => Promise<H>,
  options: { secret?: string } = {},
): void {
  const notes: string[] = [];
  afterAll(() => {
    if (process.env.FAULT_MATRIX_NOTES === '1' && notes.length > 0) console.log(notes.join('\n'));
  });

  // Rows take about a second alone; the bound is a safety net for a machine shared with other
  // CPU-heavy work (every wait inside a row is on a condition).
  it.each(scenarios.map((s) => [s.name, s] as const))(
    '%s',
    async (_name, scenario) => {
      const logger = captureLogger();
      const ctx = await run(scenario, logger);
      notes.push(...ctx.notes.map((n) => `${scenario.name}: ${n}`));
      if (options.secret !== undefined) {
        const secret = options.secret;
        expect(logger.lines.filter((line) => line.includes(secret))).toEqual([]);
      }
    },
    120_000,
  );

  it('README table lists every row', () => {
    const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
    const missing = scenarios.filter((s) => !readme.includes(`| ${s.name} |`)).map((s) => s.name);
    expect(missing).toEqual([]);
  });
}
