const { mkdirSync, readdirSync, rmSync } = require('node:fs');
const { join } = require('node:path');

/** Runs kept in test/.logs: the newest ones, for reading after a failure. */
const KEEP = 3;

/** One directory per jest run for the logs of every app the tests start (test/support/test-logs.ts). */
module.exports = async () => {
  const root = join(__dirname, '..', '.logs');
  mkdirSync(root, { recursive: true });
  const old = readdirSync(root).sort().reverse().slice(KEEP - 1);
  for (const name of old) rmSync(join(root, name), { recursive: true, force: true });
  const dir = join(root, `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  // Read by the test files (and by the jest workers, which inherit the environment).
  process.env.NBA_TEST_LOG_DIR = dir;
};
