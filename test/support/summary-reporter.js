/** Prints the plain closing line 'N passed, N failed, N skipped' that CI reads. */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests: p, numFailedTests: f, numPendingTests: s, numRuntimeErrorTestSuites: e } = results;
    // A suite that failed to load counts as a failure even though no test inside it ran.
    process.stdout.write(`\n${p} passed, ${f + e} failed, ${s} skipped\n`);
  }
}
module.exports = SummaryReporter;
