// Prints Jest's totals as the one plain line CI reads (`N passed, N failed`), and writes it to
// $JEST_TOTALS_FILE so .ci/run can repeat it as its very last line. A suite that fails to load
// (compile error, crash) counts as a failure even though it ran no test.
import { writeFileSync } from 'node:fs';

export default class TotalsReporter {
  onRunComplete(_contexts, results) {
    const brokenSuites = results.testResults.filter((r) => r.testExecError).length;
    const failed = results.numFailedTests + brokenSuites;
    const line = `${results.numPassedTests} passed, ${failed} failed, ${results.numPendingTests} skipped`;
    process.stdout.write(`\n${line}\n`);
    if (process.env.JEST_TOTALS_FILE) writeFileSync(process.env.JEST_TOTALS_FILE, `${line}\n`);
  }
}
