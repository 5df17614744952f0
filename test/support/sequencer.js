const Sequencer = require('@jest/test-sequencer').default;

/**
 * Jest's own order, except that the checks of the whole run (its logs grepped for the test secrets, its answers
 * checked against their routes' schemas) run after every other file.
 */
class RunChecksLast extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    const last = (t) => /(log-secrets|response-check)\.e2e-spec\.ts$/.test(t.path);
    return [...sorted.filter((t) => !last(t)), ...sorted.filter(last)];
  }
}
module.exports = RunChecksLast;
