import { ConfigError, loadConfig } from './app-config';

/** The variables a refused environment is refused for, sorted. */
function badVariables(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    return (e as ConfigError).problems.map((p) => p.split(':')[0]).sort();
  }
  throw new Error('expected the environment to be refused');
}

describe('loadConfig', () => {
  it('gives local-development defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c.db.url).toBe('postgres://postgres@127.0.0.1:5432/nbautomation');
    expect(c.redis.url).toBe('redis://127.0.0.1:6379');
    expect(c.http.port).toBe(3000);
    expect(c.execution.maxContainersPerNode).toBe(10);
    expect(c.execution).toMatchObject({ snapshotExport: 'host', runnerEngine: 'inprocess', dockerRuntime: undefined });
    expect(c.execution.runtimes).toEqual({ default: 'nbautomation/runner:latest', standard: 'nbautomation/runner-standard:latest' });
  });

  it.each([
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL: must start with postgres/],
    ['REDIS_URL', 'not a url', /REDIS_URL: Invalid url/],
    ['PORT', 'eighty', /PORT: Expected number/],
    ['PORT', '70000', /PORT: Number must be less than or equal to 65535/],
    ['TOKEN_SECRET', 'short', /TOKEN_SECRET: must be at least 32 characters \(got \(hidden\)\)/],
    ['RUN_MIGRATIONS', 'maybe', /RUN_MIGRATIONS: Invalid enum value/],
    ['RUNTIMES', 'broken', /RUNTIMES: must be name=image/],
    ['MAX_CONTAINERS_PER_NODE', '0', /MAX_CONTAINERS_PER_NODE/],
    ['SNAPSHOT_EXPORT', 'cloud', /SNAPSHOT_EXPORT: Invalid enum value/],
    ['RUNNER_ENGINE', 'fast', /RUNNER_ENGINE: Invalid enum value/],
    ['DOCKER_RUNTIME', 'a b', /DOCKER_RUNTIME: a runtime name/],
  ])('rejects a bad %s and names it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('requires a real token secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/TOKEN_SECRET: must be set in production/);
  });

  it('reports a missing production token secret together with another bad variable', () => {
    expect(badVariables({ NODE_ENV: 'production', PORT: 'x' })).toEqual(['PORT', 'TOKEN_SECRET']);
  });

  it('requires the default runtime to be one of the runtimes', () => {
    expect(() => loadConfig({ DEFAULT_RUNTIME: 'gpu' })).toThrow(/DEFAULT_RUNTIME: must name one of RUNTIMES/);
  });

  it('serves HTTPS only with both a certificate and a key that exist', () => {
    expect(loadConfig({}).http.https).toBeNull();
    const file = __filename; // any existing file will do for the check
    expect(loadConfig({ TLS_CERT_FILE: file, TLS_KEY_FILE: file, HTTPS_PORT: '3443' }).http.https).toEqual({
      port: 3443,
      certFile: file,
      keyFile: file,
      publicUrl: undefined,
    });
    expect(badVariables({ TLS_CERT_FILE: file })).toEqual(['TLS_KEY_FILE']);
    expect(badVariables({ TLS_CERT_FILE: '/nonexistent/cert.pem', TLS_KEY_FILE: file })).toEqual(['TLS_CERT_FILE']);
    expect(badVariables({ PUBLIC_HTTPS_URL: 'http://plain' })).toEqual(['PUBLIC_HTTPS_URL']);
  });

  it('lists every bad variable at once', () => {
    expect(badVariables({ PORT: 'x', REDIS_URL: 'y' })).toEqual(['PORT', 'REDIS_URL']);
  });
});
