import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MISMATCHES_FILE } from './support/response-check';
import { runLogDir } from './support/test-logs';

/**
 * Runs last (test/support/sequencer.js): every JSON answer the in-process apis gave in this jest run matched the
 * schema its route declares (the OpenAPI document's). A failure names the route, the test and what did not match;
 * the answer itself is in test/.logs/<run>/response-mismatches.jsonl.
 */
describe('the answers of the whole test run', () => {
  it('match the schemas their routes declare', () => {
    const dir = runLogDir();
    expect(dir).toBeDefined();
    let text = '';
    try {
      text = readFileSync(join(dir!, MISMATCHES_FILE), 'utf8');
    } catch {
      // none recorded
    }
    const mismatches = text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { route: string; test: string; errors: string })
      .map((m) => `${m.route} (in "${m.test}"): ${m.errors}`);
    expect([...new Set(mismatches)]).toEqual([]);
  });
});
