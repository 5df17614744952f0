import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { AppConfig, loadConfig } from '@app/config';
import { logFileFor, testSecret } from './test-logs';

/** The default runtime's image of these tests: NBA_TEST_RUNTIMES's `default=`, else the product's. */
export const TEST_DEFAULT_IMAGE = /(?:^|,)default=([^,]+)/.exec(process.env.NBA_TEST_RUNTIMES ?? '')?.[1] ?? 'nbautomation/runner:latest';

const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * A config for one test file: its own Postgres database and its own Redis key prefix,
 * so test files and concurrent runs never see each other's data.
 */
export async function testConfig(env: Record<string, string | undefined> = {}): Promise<{ config: AppConfig; dropDb: () => Promise<void> }> {
  const tag = `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const dbName = `nbtest_${tag}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: url.toString(),
    REDIS_PREFIX: `nbtest:${tag}`,
    NODE_NAME: `test-${tag}`,
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD: 'admin-password',
    BCRYPT_ROUNDS: '4',
    PORT: '0',
    // Tests count containers: the warm pool (1 by default in the product) is on where a test asks for it.
    WARM_POOL_SIZE: '0',
    METRICS_PORT: '0',
    // In a jest run every app logs everything to the run's log directory, which is grepped for secrets at the end.
    ...(logFileFor(tag) ? { LOG_LEVEL: 'debug', LOG_FILE: logFileFor(tag) } : { LOG_LEVEL: 'silent' }),
    // Lets one checkout test its own runner images beside another's (e.g. default=nbautomation/runner:wip).
    ...(process.env.NBA_TEST_RUNTIMES ? { RUNTIMES: process.env.NBA_TEST_RUNTIMES } : {}),
    ...env,
  });
  recordSecrets(config);
  const dropDb = async () => {
    const c = new Client({ connectionString: ADMIN_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await c.end();
  };
  return { config, dropDb };
}

/** The secrets a config hands the apps, for the grep of the run's logs. */
function recordSecrets(config: AppConfig): void {
  testSecret(config.auth.tokenSecret, 'TOKEN_SECRET');
  if (config.auth.initialAdmin.password) testSecret(config.auth.initialAdmin.password, 'ADMIN_PASSWORD');
  if (config.notifications.secret) testSecret(config.notifications.secret, 'NOTIFICATION_SECRET');
  if (config.metrics.token) testSecret(config.metrics.token, 'METRICS_TOKEN');
  const smtpPassword = config.notifications.smtpUrl ? decodeURIComponent(new URL(config.notifications.smtpUrl).password) : '';
  if (smtpPassword) testSecret(smtpPassword, 'the SMTP_URL password');
}
