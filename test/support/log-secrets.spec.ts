import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findLeaks, recordedSecrets } from './log-secrets';

/** The grep behind test/log-secrets.e2e-spec.ts: it must catch a leak, and name it without printing the secret. */
describe('findLeaks', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'log-secrets-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names the file and the secret for each leak, as given, URL-encoded or in Base64', () => {
    writeFileSync(join(dir, 'secrets.jsonl'), ['admin password', 'webhook secret', 'token', 'admin password'].map((name, i) => JSON.stringify({ name, value: ['pa ss/word-1', 'whsec-0123456789', 'tok.en.value', 'pa ss/word-1'][i] })).join('\n') + '\n');
    writeFileSync(join(dir, 'a.e2e-spec.api.log'), '{"msg":"signed in with pa%20ss%2Fword-1"}\n');
    writeFileSync(join(dir, 'b.e2e-spec.worker.log'), `{"msg":"header Basic ${Buffer.from('whsec-0123456789').toString('base64')}"}\n{"msg":"fine"}\n`);
    writeFileSync(join(dir, 'c.e2e-spec.api.log'), '{"msg":"nothing here"}\n');
    const secrets = recordedSecrets(dir);
    expect(secrets.map((s) => s.name)).toEqual(['admin password', 'webhook secret', 'token']);
    const leaks = findLeaks(dir, secrets);
    expect(leaks).toEqual([
      { file: 'a.e2e-spec.api.log', secret: 'admin password' },
      { file: 'b.e2e-spec.worker.log', secret: 'webhook secret' },
    ]);
    expect(JSON.stringify(leaks)).not.toContain('whsec-0123456789');
  });

  it('the secrets file itself is no log, and a run without secrets finds nothing', () => {
    writeFileSync(join(dir, 'secrets.jsonl'), `${JSON.stringify({ name: 's', value: 'a-long-secret' })}\n`);
    expect(findLeaks(dir, recordedSecrets(dir))).toEqual([]);
    rmSync(join(dir, 'secrets.jsonl'));
    expect(recordedSecrets(dir)).toEqual([]);
  });
});
