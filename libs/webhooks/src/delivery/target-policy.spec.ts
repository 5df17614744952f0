import { loadConfig } from '@app/config';
import { TargetPolicy, TargetRefused } from './target-policy';

const policy = (allow = '') => new TargetPolicy(loadConfig({ NODE_ENV: 'test', WEBHOOK_ALLOW_PRIVATE_TARGETS: allow }));

describe('payload URL targets', () => {
  it.each([
    '127.0.0.1',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    'fe80::1',
    'fd00:ec2::254',
    '::ffff:10.0.0.1',
    '::ffff:169.254.169.254',
  ])('refuses %s by default', (a) => {
    expect(policy().problem(a, a)).toMatch(/webhooks may not target it/);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700::1111'])('accepts the public address %s', (a) => {
    expect(policy().problem(a, a)).toBeNull();
  });

  it('names the metadata range as such, and the host a name resolved from', () => {
    expect(policy().problem('169.254.169.254', '169.254.169.254')).toMatch(/link-local or cloud metadata/);
    expect(policy().problem('evil.example', '10.1.2.3')).toMatch(/^evil\.example resolves to 10\.1\.2\.3/);
  });

  it('the allowlist takes addresses, CIDRs and host names', () => {
    const p = policy('127.0.0.1, 10.20.0.0/16, hooks.internal');
    expect(p.problem('127.0.0.1', '127.0.0.1')).toBeNull();
    expect(p.problem('127.0.0.2', '127.0.0.2')).not.toBeNull();
    expect(p.problem('10.20.3.4', '10.20.3.4')).toBeNull();
    expect(p.problem('10.21.0.1', '10.21.0.1')).not.toBeNull();
    expect(p.problem('hooks.internal', '192.168.7.7')).toBeNull();
  });

  it('checks URLs without sending anything: scheme, credentials, literal addresses', async () => {
    await expect(policy().check('ftp://example.org/')).rejects.toThrow(TargetRefused);
    await expect(policy().check('http://user:pw@127.0.0.1/')).rejects.toThrow(/credentials/);
    await expect(policy().check('http://[::1]:8080/x')).rejects.toThrow(/::1 is a loopback/);
    await expect(policy().check('not a url')).rejects.toThrow(/not a valid URL/);
    await expect(policy('127.0.0.1').check('http://127.0.0.1:9/x')).resolves.toBeInstanceOf(URL);
  });
});
