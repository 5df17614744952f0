import { findLeaks, logFiles, recordedSecrets } from './support/log-secrets';
import { runLogDir } from './support/test-logs';
import { KNOWN_TEST_SECRETS } from './support/test-secrets';

/**
 * Runs last (test/support/sequencer.js): the logs of every api and worker this jest run started, in-process or
 * spawned (test/.logs/<run>/), hold none of the passwords, secrets and tokens the tests used. A failure names the log
 * file and the secret, never its value.
 */
describe('the logs of the whole test run', () => {
  it('hold no password, secret or token the tests used', () => {
    const dir = runLogDir();
    expect(dir).toBeDefined();
    const secrets = [...Object.entries(KNOWN_TEST_SECRETS).map(([name, value]) => ({ name, value })), ...recordedSecrets(dir!)];
    const files = logFiles(dir!);
    process.stdout.write(`log-secrets: ${files.length} log file(s) of this run checked for ${secrets.length} secret(s) in ${dir}\n`);
    expect(findLeaks(dir!, secrets)).toEqual([]);
  });
});
