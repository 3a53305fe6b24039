import { FaultHarness, type FaultHarnessConfig, type FaultHarnessExternal, type InvariantLimits } from './fault-harness.js';
import { runMatrixRow, type MatrixScenario } from './matrix-runner.js';

/** One row of the Deribit fault matrix. Runnable on its own: it starts and closes its own world. */
export type FaultScenario = MatrixScenario<FaultHarness, FaultHarnessConfig, InvariantLimits>;

/**
 * Runs one row (see `runMatrixRow`). `external` lets a caller bring its own credentials and logger
 * (e.g. to audit every log line for a secret). Returns the closed harness for inspection.
 */
export function runScenario(scenario: FaultScenario, external: FaultHarnessExternal = {}): Promise<FaultHarness> {
  return runMatrixRow(scenario, (config) => FaultHarness.start({ ...config, ...external }));
}
