import { appendFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * The logs of one jest run: every api and worker the tests start (in-process or spawned) writes its log lines to
 * `test/.logs/<run>/` (made by global-setup.js), and every secret the tests hand them is recorded beside them, so
 * `test/log-secrets.e2e-spec.ts`, run last, can grep the whole run for them. Without a run (a script), nothing is kept.
 */
export const runLogDir = (): string | undefined => process.env.NBA_TEST_LOG_DIR || undefined;

/** Where the secrets of the run are recorded; never grepped as a log. */
export const SECRETS_FILE = 'secrets.jsonl';

/** Shorter values could stand in a log by chance; a test secret is longer. */
const MIN_SECRET_CHARS = 8;

/** A log file of this run for `what` (e.g. `api`, `worker-4242`), named after the test file; undefined without a run. */
export function logFileFor(what: string): string | undefined {
  const dir = runLogDir();
  if (!dir) return undefined;
  const testPath = (globalThis as { expect?: { getState(): { testPath?: string } } }).expect?.getState().testPath;
  const file = testPath ? basename(testPath).replace(/\.ts$/, '') : 'script';
  return join(dir, `${file}.${what}.log`);
}

/** Records a secret the tests use (a password, TOKEN_SECRET, a webhook secret, an issued token) and returns it. */
export function testSecret<T extends string>(value: T, name = 'secret'): T {
  const dir = runLogDir();
  if (dir && value.length >= MIN_SECRET_CHARS) {
    mkdirSync(dir, { recursive: true });
    appendFileSync(join(dir, SECRETS_FILE), `${JSON.stringify({ name, value })}\n`);
  }
  return value;
}
