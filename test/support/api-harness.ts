import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { Logger as PinoLogger } from 'nestjs-pino';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Clock } from '@app/clock';
import { AppConfig } from '@app/config';
import { ApiModule } from '../../apps/api/src/api.module';
import { apiAppOptions, configureApi, createApi } from '../../apps/api/src/create-api';
import { testConfig } from './test-env';
import { ResponseCheck } from './response-check';
import { testSecret } from './test-logs';

/** A running api on a fresh database, with helpers to sign in and call it. */
export class ApiHarness {
  app!: INestApplication;
  config!: AppConfig;
  private dropDb!: () => Promise<void>;

  /**
   * `overrides.clock` replaces the system clock (e.g. a FakeClock, to expire tokens without waiting);
   * the app is then built from a testing module, configured exactly as `createApi` does.
   */
  static async start(env: Record<string, string | undefined> = {}, overrides: { clock?: Clock } = {}): Promise<ApiHarness> {
    const h = new ApiHarness();
    const t = await testConfig(env);
    h.config = t.config;
    h.dropDb = t.dropDb;
    const logs = t.config.log.file ? {} : { logger: false as const };
    try {
      if (overrides.clock) {
        const moduleRef = await Test.createTestingModule({ imports: [ApiModule.forRoot(t.config)] })
          .overrideProvider(Clock)
          .useValue(overrides.clock)
          .compile();
        // With a log file (a jest run), Nest's own messages go there too, as in production.
        const app = moduleRef.createNestApplication<NestExpressApplication>(apiAppOptions(logs));
        if (t.config.log.file) app.useLogger(app.get(PinoLogger));
        h.app = configureApi(app, t.config);
      } else {
        h.app = await createApi(t.config, logs);
      }
      // Every JSON answer of every test is checked against its route's declared schema (test/response-check.e2e-spec.ts).
      const check = ResponseCheck.forRun();
      if (check) h.app.useGlobalInterceptors(check);
      await h.app.init();
    } catch (e) {
      await h.stop().catch(() => undefined);
      throw e;
    }
    return h;
  }

  get http() {
    return request(this.app.getHttpServer());
  }

  get ds(): DataSource {
    return this.app.get(DataSource);
  }

  async token(username = 'admin', password = 'admin-password', expiration?: number): Promise<string> {
    const res = await this.http
      .post('/sharing/rest/generateToken')
      .type('form')
      .send({ username, password, f: 'json', ...(expiration ? { expiration } : {}) });
    if (res.status !== 200) throw new Error(`generateToken ${username}: ${res.status} ${JSON.stringify(res.body)}`);
    testSecret(password, `the password of ${username}`);
    return testSecret(res.body.token as string, `a token of ${username}`);
  }

  /** Creates a user (as admin) and returns a token for them. */
  async user(username: string, role: 'org_user' | 'org_admin' = 'org_user', extra: Record<string, string> = {}): Promise<string> {
    const admin = await this.token();
    const res = await this.http
      .post('/portaladmin/security/users/createUser')
      .set('Authorization', `Bearer ${admin}`)
      .type('form')
      .send({ username, password: `${username}-password`, fullname: username, email: `${username}@example.org`, role, ...extra });
    if (res.status !== 200) throw new Error(`createUser ${username}: ${res.status} ${JSON.stringify(res.body)}`);
    return this.token(username, `${username}-password`);
  }

  async addNotebook(token: string, owner: string, notebook: object = minimalNotebook(), title = 'nb'): Promise<string> {
    const res = await this.http
      .post(`/sharing/rest/content/users/${owner}/addItem`)
      .set('Authorization', `Bearer ${token}`)
      .type('form')
      .send({ type: 'Notebook', title, text: JSON.stringify(notebook), f: 'json' });
    if (res.status !== 200) throw new Error(`addItem: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  }

  async events(): Promise<Array<{ source: string; operation: string; target_id: string; username: string; properties: Record<string, unknown> }>> {
    return this.ds.query('SELECT * FROM domain_events ORDER BY occurred_at, id');
  }

  async stop(): Promise<void> {
    await this.app?.close();
    await this.dropDb?.();
  }
}

export function minimalNotebook(source = 'print("hello")', extraCells: object[] = []) {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    cells: [{ cell_type: 'code', source, metadata: {}, outputs: [], execution_count: null }, ...extraCells],
  };
}
