import { createHmac } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { ApiHarness } from './support/api-harness';
import { printing, raising } from './support/notebooks';
import { SmtpReceiver } from './support/smtp-receiver';
import { TasksApi } from './support/tasks-api';
import { TestReceiver } from './support/webhook-receiver';
import { eventually, sleep, startWorker } from './support/worker-harness';

jest.setTimeout(300_000);

const SECRET = 'notification-test-secret-0123456789';
const yearly = { second: '0', minute: '0', hour: '0', dayOfMonth: '1', month: '1', dayOfWeek: '?' };

/**
 * Notifications of task outcomes: e-mail received over SMTP by a real server on loopback, and signed JSON POSTs
 * received on loopback through the webhook delivery engine. Runs in real containers (Postgres, Redis, BullMQ, Docker).
 */
describe('notifications of task outcomes', () => {
  let h: ApiHarness;
  let worker: INestApplicationContext;
  let smtp: SmtpReceiver;
  let receiver: TestReceiver;
  let admin: string;

  beforeAll(async () => {
    smtp = await SmtpReceiver.start();
    receiver = await TestReceiver.start();
    h = await ApiHarness.start({
      HEARTBEAT_SECONDS: '1',
      SMTP_URL: smtp.url,
      SMTP_FROM: 'Automation <automation@example.org>',
      NOTIFICATION_SECRET: SECRET,
      WEBHOOK_ALLOW_PRIVATE_TARGETS: '127.0.0.1',
    });
    worker = await startWorker(h.config);
    admin = await h.token();
  });

  afterAll(async () => {
    await h?.ds.query(`UPDATE tasks SET active = false`).catch(() => undefined);
    await worker?.close();
    await h?.stop();
    await receiver?.stop();
    await smtp?.stop();
  });

  const auth = () => ({ Authorization: `Bearer ${admin}` });
  const setProperties = async (properties: Record<string, number>) => {
    const res = await h.http.post('/arcgis/admin/system/properties/update').set(auth()).type('form').send({ properties: JSON.stringify(properties) });
    expect(res.status).toBe(200);
  };
  const setNotebook = async (owner: string, itemId: string, notebook: object) => {
    const res = await h.http.post(`/sharing/rest/content/users/${owner}/items/${itemId}/update`).set(auth()).type('form').send({ text: JSON.stringify(notebook), f: 'json' });
    expect(res.status).toBe(200);
  };
  const bodies = (path: string) => receiver.at(path).map((r) => JSON.parse(r.body));

  it('a run that fails twice and then succeeds (maxRetries): no failure notice for retried attempts, one success notice by e-mail and URL', async () => {
    const itemId = await h.addNotebook(admin, 'admin', raising());
    const tasks = new TasksApi(h, admin, 'admin');
    const taskId = await tasks.createOk(itemId, {
      ...yearly,
      title: 'Flaky',
      maxRetries: 2,
      retryDelaySeconds: 2,
      parameters: { updatePortalItem: false },
      notifications: { onFailure: ['ops@example.org', receiver.url('/flaky')], onSuccess: ['ops@example.org', receiver.url('/flaky')] },
    });
    expect((await tasks.get(taskId)).body.notifications).toEqual({
      onFailure: ['ops@example.org', receiver.url('/flaky')],
      onSuccess: ['ops@example.org', receiver.url('/flaky')],
    });
    await tasks.runNow(taskId);
    await eventually(async () => (await tasks.runs(taskId)).filter((r) => r.status === 'failed').length === 2, 120_000, 100);
    await setNotebook('admin', itemId, printing('print("fixed")'));
    await eventually(async () => smtp.to('ops@example.org').length >= 1, 120_000);
    await eventually(async () => receiver.at('/flaky').length >= 1, 30_000);
    await sleep(1500);
    expect(smtp.to('ops@example.org').map((m) => m.subject)).toEqual(['[Notebook Automation] Task "Flaky" succeeded']);
    const mail = smtp.to('ops@example.org')[0];
    expect(mail.from).toBe('automation@example.org');
    expect(mail.text).toContain('Outcome: succeeded, attempt 3 (run now)');
    expect(mail.text).toMatch(/Snapshot: http:\/\/localhost:0\/arcgis\/admin\/system\/jobs\/[0-9a-f]{32}\/snapshot/);
    // The POST: Slack-compatible JSON, signed like a webhook delivery (Standard Webhooks), without the plain secret.
    const [post] = receiver.at('/flaky');
    const body = JSON.parse(post.body);
    expect(body).toMatchObject({ text: expect.stringContaining('Task "Flaky" succeeded'), event: 'success', task: { id: taskId, title: 'Flaky' }, taskRun: { attempt: 3 } });
    expect(body.blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn' } });
    const id = post.headers['webhook-id'] as string;
    const ts = post.headers['webhook-timestamp'] as string;
    const expected = createHmac('sha256', SECRET).update(`${id}.${ts}.${post.body}`).digest('base64');
    expect(post.headers['webhook-signature']).toBe(`v1,${expected}`);
    expect(post.headers.secret).toBeUndefined();
    // The URL shows its delivery's outcome once the delivery ends, not that it was queued.
    const task = await eventually(async () => {
      const t = (await tasks.get(taskId)).body;
      return t.lastNotification?.sent?.[1]?.status !== 'queued' && t;
    }, 30_000);
    expect(task.lastNotification).toMatchObject({
      events: ['success'],
      sent: [
        { via: 'email', to: 'ops@example.org', status: 'sent' },
        { via: 'url', to: `http://127.0.0.1:${receiver.port}/…`, status: 'sent', deliveryId: id, httpStatus: 200, attempts: 1, detail: 'HTTP 200 after 1 attempt' },
      ],
    });
  });

  it('a URL whose receiver keeps failing shows failed, with the reason, once the delivery has spent its attempts', async () => {
    const settings = (s: Record<string, string>) => h.http.post('/sharing/rest/portals/self/webhooks/settings/update').set(auth()).type('form').send(s);
    expect((await settings({ notificationAttempts: '2', notificationElapsedTimeInSeconds: '1' })).status).toBe(200);
    receiver.respond('/down', [503]);
    try {
      const itemId = await h.addNotebook(admin, 'admin', printing('print("ok")'));
      const tasks = new TasksApi(h, admin, 'admin');
      const taskId = await tasks.createOk(itemId, { ...yearly, parameters: { updatePortalItem: false }, notifications: { onSuccess: [receiver.url('/down')] } });
      await tasks.runNow(taskId);
      const task = await eventually(async () => {
        const t = (await tasks.get(taskId)).body;
        return t.lastNotification?.sent?.[0]?.status === 'failed' && t;
      }, 120_000);
      expect(receiver.at('/down')).toHaveLength(2);
      expect(task.lastNotification.sent).toEqual([
        {
          via: 'url',
          to: `http://127.0.0.1:${receiver.port}/…`,
          status: 'failed',
          deliveryId: receiver.at('/down')[0].headers['webhook-id'],
          httpStatus: 503,
          attempts: 2,
          detail: 'HTTP 503: failing with 503 (after 2 attempts)',
        },
      ]);
    } finally {
      await settings({ notificationAttempts: '3', notificationElapsedTimeInSeconds: '30' });
    }
  });

  it('failure and disable notices go to the owner by default; a recovery notice follows the fix', async () => {
    const erin = await h.user('erin', 'org_user', { privileges: 'scheduleNotebooks' });
    const tasks = new TasksApi(h, erin, 'erin');
    await setProperties({ FailedRunsToDisableTask: 2 });
    const itemId = await h.addNotebook(erin, 'erin', raising());
    const taskId = await tasks.createOk(itemId, {
      title: 'Nightly',
      second: '*',
      minute: '*',
      hour: '*',
      parameters: { updatePortalItem: false },
      notifications: { onRecovery: ['erin@example.org', receiver.url('/recovery')] },
    });
    await eventually(async () => (await tasks.get(taskId)).body.taskState === 'disabled', 120_000);
    await eventually(async () => smtp.to('erin@example.org').length >= 3, 30_000);
    const subjects = smtp.to('erin@example.org').map((m) => m.subject);
    expect(subjects).toEqual(['[Notebook Automation] Task "Nightly" failed', '[Notebook Automation] Task "Nightly" failed', '[Notebook Automation] Task "Nightly" was disabled']);
    const failure = smtp.to('erin@example.org')[0].text;
    expect(failure).toContain('Error in cell 1: ValueError: boom in cell');
    expect(failure).toContain('Traceback (first lines):');
    expect(failure).toMatch(/raise ValueError\("boom in cell"\)/);
    expect(failure).toMatch(/Job: http:\/\/localhost:0\/arcgis\/admin\/system\/jobs\/[0-9a-f]{32}/);
    expect(smtp.to('erin@example.org')[2].text).toContain('Disabled after 2 consecutive failed runs');

    await setNotebook('erin', itemId, printing('print("fixed")'));
    expect((await tasks.post(taskId, 'enable')).status).toBe(200);
    await eventually(async () => smtp.to('erin@example.org').length >= 4, 120_000);
    await tasks.post(taskId, 'disable');
    expect(smtp.to('erin@example.org')[3].subject).toBe('[Notebook Automation] Task "Nightly" recovered');
    await eventually(async () => receiver.at('/recovery').length >= 1, 30_000);
    expect(bodies('/recovery')[0]).toMatchObject({ event: 'recovery', task: { id: taskId, owner: 'erin' } });
    // Success itself notifies no one by default.
    expect(smtp.to('erin@example.org').filter((m) => /succeeded/.test(m.subject))).toEqual([]);
    await setProperties({ FailedRunsToDisableTask: 5 });
  });

  it('a broken mail server sends nothing and leaves the run unaffected; the task shows the failed notification', async () => {
    smtp.broken = true;
    try {
      const itemId = await h.addNotebook(admin, 'admin', printing('print("ok")'));
      const tasks = new TasksApi(h, admin, 'admin');
      const taskId = await tasks.createOk(itemId, { ...yearly, parameters: { updatePortalItem: false }, notifications: { onSuccess: ['broken@example.org'] } });
      const { runId, jobId } = (await tasks.runNow(taskId)).body;
      // Recorded as it would be with a working mail server.
      await eventually(async () => (await tasks.runs(taskId)).find((r) => r.runId === runId && r.result === 'Notebook executed successfully.'), 120_000);
      const task = await eventually(async () => {
        const t = (await tasks.get(taskId)).body;
        return t.lastNotification && t;
      }, 30_000);
      expect(task.lastNotification).toMatchObject({ events: ['success'], jobId, sent: [{ via: 'email', to: 'broken@example.org', status: 'failed', detail: expect.stringMatching(/SMTP: .*451/) }] });
      expect(smtp.to('broken@example.org')).toEqual([]);
      expect((await h.http.get(`/arcgis/admin/system/jobs/${jobId}`).set(auth())).body.status).toBe('COMPLETED');
    } finally {
      smtp.broken = false;
    }
  });

  it('a fire that cannot be submitted is a failure, and is notified', async () => {
    const itemId = await h.addNotebook(admin, 'admin', printing('print("never")'));
    const tasks = new TasksApi(h, admin, 'admin');
    const taskId = await tasks.createOk(itemId, { ...yearly, parameters: { executionTimeoutInMinutes: 5 }, notifications: { onFailure: ['submit@example.org'] } });
    // The task's timeout is now above the site's maximum: its fire is refused at submission.
    await setProperties({ maxExecuteNotebookTimeMinutes: 1 });
    try {
      await h.ds.query(`UPDATE tasks SET next_fire_at = now() WHERE id = $1`, [taskId]);
      await eventually(async () => smtp.to('submit@example.org').length >= 1, 60_000);
      const [mail] = smtp.to('submit@example.org');
      expect(mail.subject).toBe('[Notebook Automation] Task "task" failed');
      expect(mail.text).toMatch(/could not be submitted: executionTimeoutInMinutes must be greater than 0 and at most 1/);
    } finally {
      await setProperties({ maxExecuteNotebookTimeMinutes: 120 });
    }
  });

  it('an executeNotebook request may name notifications: its failure is told by e-mail and URL', async () => {
    const itemId = await h.addNotebook(admin, 'admin', raising(), 'Adhoc report');
    const res = await h.http
      .post('/arcgis/admin/notebooks/executeNotebook')
      .set(auth())
      .type('form')
      .send({ itemId, updatePortalItem: 'false', notifications: JSON.stringify({ onFailure: ['adhoc@example.org', receiver.url('/adhoc')], onSuccess: [] }) });
    expect(res.status).toBe(200);
    await eventually(async () => smtp.to('adhoc@example.org').length >= 1, 120_000);
    const [mail] = smtp.to('adhoc@example.org');
    expect(mail.subject).toBe('[Notebook Automation] Notebook "Adhoc report" failed');
    expect(mail.text).toContain('Error in cell 1: ValueError: boom in cell');
    expect(mail.text).toContain(`Job: ${res.body.jobUrl}`);
    await eventually(async () => receiver.at('/adhoc').length >= 1, 30_000);
    expect(bodies('/adhoc')[0]).toMatchObject({ event: 'failure', job: { id: res.body.jobId }, taskRun: { trigger: 'executeNotebook' } });
    const bad = await h.http.post('/arcgis/admin/notebooks/executeNotebook').set(auth()).type('form').send({ itemId, notifications: JSON.stringify({ onFailure: ['nope'] }) });
    expect(bad.status).toBe(400);
  });

  it('notification targets are checked when saved', async () => {
    const itemId = await h.addNotebook(admin, 'admin', printing('print(1)'));
    const tasks = new TasksApi(h, admin, 'admin');
    for (const [notifications, message] of [
      [{ onFailure: ['not an address'] }, /must be an e-mail address or an http\(s\) URL/],
      [{ onFailure: ['https://user:pw@example.org/x'] }, /must not carry credentials/],
      [{ onEverything: ['a@example.org'] }, /Unrecognized key/],
      [{ onFailure: ['http://10.0.0.1/hook'] }, /loopback, private or reserved address; notifications may not target it/],
    ] as const) {
      const res = await tasks.create(itemId, { ...yearly, notifications });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
  });
});
