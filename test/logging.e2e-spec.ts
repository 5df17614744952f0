import request from 'supertest';
import { AppConfig } from '@app/config';
import { raising } from './support/notebooks';
import { AppProcess, envFor } from './support/processes';
import { testConfig } from './support/test-env';
import { testSecret } from './support/test-logs';
import { closedPort, TestReceiver } from './support/webhook-receiver';
import { eventually } from './support/worker-harness';

jest.setTimeout(300_000);

// Every secret this test hands the server; none may appear in its logs.
const SECRETS = {
  adminPassword: 'admin-password-LOGTEST-1',
  userPassword: 'user-password-LOGTEST-2',
  tokenSecret: 'token-secret-LOGTEST-3-0123456789abcdef0123',
  metricsToken: 'metrics-token-LOGTEST-4',
  notificationSecret: 'notification-secret-LOGTEST-5',
  smtpPassword: 'smtp-password-LOGTEST-6',
  webhookSecret: 'webhook-secret-LOGTEST-7',
  urlPathToken: 'url-path-token-LOGTEST-8',
};
for (const [name, value] of Object.entries(SECRETS)) testSecret(value, `logging: ${name}`);

/** Structured logs of real api and worker processes (built apps): one line per request and per run state change, no secret. */
describe('structured logs (api and worker processes)', () => {
  let config: AppConfig;
  let dropDb: () => Promise<void>;
  let api: AppProcess;
  let worker: AppProcess;
  let receiver: TestReceiver;
  let base: string;
  const issuedTokens: string[] = [];

  beforeAll(async () => {
    ({ config, dropDb } = await testConfig({ ADMIN_PASSWORD: SECRETS.adminPassword, TOKEN_SECRET: SECRETS.tokenSecret, HEARTBEAT_SECONDS: '1' }));
    receiver = await TestReceiver.start();
    const port = 31300 + Math.floor(Math.random() * 90);
    base = `http://127.0.0.1:${port}`;
    const env = envFor(config, {
      LOG_LEVEL: 'debug',
      PORT: String(port),
      METRICS_PORT: '0',
      METRICS_TOKEN: SECRETS.metricsToken,
      NOTIFICATION_SECRET: SECRETS.notificationSecret,
      SMTP_URL: `smtp://nbuser:${SECRETS.smtpPassword}@127.0.0.1:${await closedPort()}`,
      WEBHOOK_ALLOW_PRIVATE_TARGETS: '127.0.0.1',
    });
    api = AppProcess.start('api', env);
    await api.waitFor('listening on');
    worker = AppProcess.start('worker', env);
    await worker.waitFor('taking runs');
  });

  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    await receiver?.stop();
    await dropDb?.();
  });

  const http = () => request(base);
  const signIn = async (username: string, password: string) => {
    const res = await http().post('/sharing/rest/generateToken').type('form').send({ username, password, f: 'json' });
    expect(res.status).toBe(200);
    issuedTokens.push(testSecret(res.body.token as string, `logging: a token of ${username}`));
    return res.body.token as string;
  };

  it('logs requests and run state changes as JSON lines, and never a secret', async () => {
    const admin = await signIn('admin', SECRETS.adminPassword);
    // A failed sign-in, a user with a password, tokens in the query, a form field and both headers.
    expect((await http().post('/sharing/rest/generateToken').type('form').send({ username: 'admin', password: `${SECRETS.adminPassword}-wrong` })).status).toBeGreaterThanOrEqual(400);
    const created = await http()
      .post('/portaladmin/security/users/createUser')
      .set('Authorization', `Bearer ${admin}`)
      .type('form')
      .send({ username: 'lena', password: SECRETS.userPassword, email: 'lena@example.org', role: 'org_admin' });
    expect(created.status).toBe(200);
    const lena = await signIn('lena', SECRETS.userPassword);
    expect((await http().get('/sharing/rest/community/self').query({ token: lena, f: 'json' })).status).toBe(200);
    expect((await http().get('/sharing/rest/portals/self').set('X-Esri-Authorization', `Bearer ${lena}`)).status).toBe(200);
    expect((await http().post('/sharing/rest/community/self').type('form').send({ token: lena })).status).toBeLessThan(500);
    expect((await http().get('/metrics').set('Authorization', `Bearer ${SECRETS.metricsToken}`)).status).toBe(200);
    const hook = await http()
      .post('/sharing/rest/portals/self/webhooks/createWebhook')
      .set('Authorization', `Bearer ${admin}`)
      .type('form')
      .send({ name: 'log test', url: receiver.url('/hook'), secret: SECRETS.webhookSecret, changes: 'allChanges' });
    expect(hook.status).toBe(200);

    // A task that fails: its run's state changes are logged by the worker, its notifications fail (no SMTP server).
    const add = await http()
      .post('/sharing/rest/content/users/admin/addItem')
      .set('Authorization', `Bearer ${admin}`)
      .type('form')
      .send({ type: 'Notebook', title: 'fails', text: JSON.stringify(raising()) });
    expect(add.status).toBe(200);
    const task = await http()
      .post('/sharing/rest/community/users/admin/tasks/createTask')
      .set('Authorization', `Bearer ${admin}`)
      .type('form')
      .send({
        title: 'log task',
        itemId: add.body.id,
        minute: '0',
        hour: '0',
        dayOfMonth: '1',
        month: '1',
        dayOfWeek: '?',
        parameters: JSON.stringify({ updatePortalItem: false }),
        notifications: JSON.stringify({ onFailure: ['ops@example.org', receiver.url(`/hooks/T/B/${SECRETS.urlPathToken}`)] }),
      });
    expect(task.status).toBe(200);
    const now = await http().post(`/sharing/rest/community/users/admin/tasks/${task.body.taskId}/run`).set('Authorization', `Bearer ${admin}`).type('form').send({});
    expect(now.status).toBe(200);
    const jobId = now.body.jobId as string;
    await eventually(async () => worker.output.join('').includes(`"msg":"run ${jobId} FAILED"`), 120_000);
    await eventually(async () => worker.output.join('').includes('e-mail to 1 recipient(s) failed'), 30_000);
    await eventually(async () => receiver.at(`/hooks/T/B/${SECRETS.urlPathToken}`).length > 0, 30_000);

    await worker.stop();
    await api.stop();
    const apiLines = api.output.join('').split('\n').filter(Boolean);
    const workerLines = worker.output.join('').split('\n').filter(Boolean);
    const parse = (l: string) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON log line: ${l.slice(0, 300)}`);
      }
    };
    const apiLog = apiLines.map(parse);
    const workerLog = workerLines.map(parse);

    // One line per request: method, route, status, ms, user, request id.
    const runNow = apiLog.find((l) => l.route === '/sharing/rest/community/users/:username/tasks/:taskId/run');
    expect(runNow).toMatchObject({ method: 'POST', status: 200, user: 'admin', reqId: expect.any(String), ms: expect.any(Number) });
    expect(apiLog.find((l) => l.route === '/sharing/rest/community/self' && l.method === 'GET')).toMatchObject({ user: 'lena', status: 200 });
    expect(apiLog.filter((l) => l.route === '/sharing/rest/generateToken').map((l) => l.status)).toEqual(expect.arrayContaining([200]));
    // One line per run state change: run id, task id, trigger, node, status, ms.
    expect(apiLog.find((l) => l.runId === jobId && l.status === 'SUBMITTED')).toMatchObject({ taskId: task.body.taskId, trigger: 'manual' });
    expect(workerLog.find((l) => l.runId === jobId && l.status === 'PROCESSING')).toMatchObject({ node: config.nodeName, trigger: 'manual', waitMs: expect.any(Number) });
    expect(workerLog.find((l) => l.runId === jobId && l.status === 'FAILED')).toMatchObject({ taskId: task.body.taskId, node: config.nodeName, ms: expect.any(Number) });

    // No secret, password or token anywhere in either log.
    const all = [...apiLines, ...workerLines].join('\n');
    for (const [name, secret] of Object.entries({ ...SECRETS, ...Object.fromEntries(issuedTokens.map((t, i) => [`token${i}`, t])) })) {
      expect([name, all.includes(secret)]).toEqual([name, false]);
    }
  });
});
