const Sequencer = require('@jest/test-sequencer').default;

/** Jest's own order, except that the grep of the whole run's logs for the test secrets runs after every other file. */
class LastIsLogCheck extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    const last = (t) => /log-secrets\.e2e-spec\.ts$/.test(t.path);
    return [...sorted.filter((t) => !last(t)), ...sorted.filter(last)];
  }
}
module.exports = LastIsLogCheck;
