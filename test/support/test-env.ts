import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { AppConfig, loadConfig } from '@app/config';

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
    LOG_LEVEL: 'silent',
    // Lets one checkout test its own runner images beside another's (e.g. default=nbautomation/runner:wip).
    ...(process.env.NBA_TEST_RUNTIMES ? { RUNTIMES: process.env.NBA_TEST_RUNTIMES } : {}),
    ...env,
  });
  const dropDb = async () => {
    const c = new Client({ connectionString: ADMIN_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await c.end();
  };
  return { config, dropDb };
}
