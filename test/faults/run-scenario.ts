import { FaultHarness, type FaultHarnessConfig, type FaultHarnessExternal, type InvariantLimits } from './fault-harness.js';

/** One row of the fault matrix. Runnable on its own: it starts and closes its own world. */
export interface FaultScenario {
  name: string;
  /** The fault, for the README table. */
  fault: string;
  /** One line for the README table: what the row proves beyond the shared invariants. */
  asserts: string;
  /** Harness settings the row needs before anything starts. */
  config?: FaultHarnessConfig;
  /** Bounds for the shared "nothing duplicated" checks, when the row legitimately adds calls. */
  limits?: InvariantLimits;
  /** After the connection is ready and data flows, before the fault. */
  setup?(ctx: FaultHarness): Promise<void> | void;
  /** Injects the fault and waits until it has had its effect (and any fault switch is lifted). */
  inject(ctx: FaultHarness): Promise<void>;
  /** Row-specific checks, after recovery and the shared invariants. */
  expect?(ctx: FaultHarness): Promise<void> | void;
}

/**
 * Start → ready with data on every channel → setup → inject → shared invariants (nothing lost,
 * nothing duplicated, one layer reconnecting) → expect → close → nothing leaked. `external` lets a
 * caller bring its own credentials and logger (e.g. to audit every log line for a secret).
 * Returns the closed harness for inspection.
 */
export async function runScenario(scenario: FaultScenario, external: FaultHarnessExternal = {}): Promise<FaultHarness> {
  const ctx = await FaultHarness.start({ ...scenario.config, ...external });
  try {
    await ctx.connection.whenReady(5_000);
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
