import { INestApplicationContext } from '@nestjs/common';
import { ApiHarness, minimalNotebook } from './support/api-harness';
import { TestReceiver } from './support/webhook-receiver';
import { eventually, sleep, startWorker } from './support/worker-harness';

/**
 * A burst through the real fan-out: 200 item updates sent at once to the API, 3 webhooks on that item, a loopback
 * receiver, the worker delivering. Counts must be exact: every event reaches every webhook once, no duplicates,
 * one record each. (Speed is measured by `npm run bench:webhooks`, not asserted here.)
 */
describe('webhook fan-out under a burst (200 events x 3 webhooks; Postgres, Redis, BullMQ)', () => {
  const EVENTS = 200;
  const HOOKS = 3;
  let h: ApiHarness;
  let worker: INestApplicationContext;
  let receiver: TestReceiver;
  let admin: string;
  const auth = () => ({ Authorization: `Bearer ${admin}` });

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    h = await ApiHarness.start({ WEBHOOK_ALLOW_PRIVATE_TARGETS: '127.0.0.1' });
    worker = await startWorker(h.config);
    admin = await h.token();
  });

  afterAll(async () => {
    await worker?.close();
    await h?.stop();
    await receiver?.stop();
  });

  it('delivers exactly 600 messages, each event once to each webhook, and records 600 successes', async () => {
    const itemId = await h.addNotebook(admin, 'admin', minimalNotebook(), 'burst target');
    const hooks: string[] = [];
    for (let i = 0; i < HOOKS; i++) {
      const res = await h.http
        .post('/sharing/rest/portals/self/webhooks/createWebhook')
        .set(auth())
        .type('form')
        .send({ name: `burst ${i}`, url: receiver.url(`/burst/${i}`), secret: `burst-secret-${i}`, changes: 'manualChanges', events: `/items/${itemId}/update` });
      expect(res.status).toBe(200);
      hooks.push(res.body.webhook.id);
    }
    const answers = await Promise.all(
      Array.from({ length: EVENTS }, (_, i) => h.http.post(`/sharing/rest/content/users/admin/items/${itemId}/update`).set(auth()).type('form').send({ title: `burst ${i}` })),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);

    const burst = () => receiver.received.filter((r) => r.path.startsWith('/burst/'));
    await eventually(async () => burst().length >= EVENTS * HOOKS, 120_000, 100);
    await sleep(1500); // a duplicate, if any, would arrive meanwhile
    const got = burst();
    expect(got).toHaveLength(EVENTS * HOOKS);
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(EVENTS * HOOKS);
    for (let i = 0; i < HOOKS; i++) {
      const titles = got.filter((r) => r.path === `/burst/${i}`).map((r) => JSON.parse(r.body).events[0]);
      expect(titles).toHaveLength(EVENTS);
      expect(titles.every((e) => e.operation === 'update' && e.id === itemId)).toBe(true);
    }

    const records = await h.ds.query(
      `SELECT webhook_id, count(*)::int AS n, count(DISTINCT event_id)::int AS events, sum(attempts)::int AS attempts,
              count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded
         FROM webhook_deliveries WHERE webhook_id = ANY($1) GROUP BY webhook_id`,
      [hooks],
    );
    expect(records).toHaveLength(HOOKS);
    for (const r of records) expect(r).toMatchObject({ n: EVENTS, events: EVENTS, attempts: EVENTS, succeeded: EVENTS });
    const [{ n: updates }] = await h.ds.query(`SELECT count(*)::int AS n FROM domain_events WHERE target_id = $1 AND operation = 'update'`, [itemId]);
    expect(updates).toBe(EVENTS);
  });
});

describe('fan-out on the workers, through a queue of its own (Postgres, Redis, BullMQ)', () => {
  let h: ApiHarness;
  const workers: INestApplicationContext[] = [];
  let receiver: TestReceiver;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    h = await ApiHarness.start({ WEBHOOK_ALLOW_PRIVATE_TARGETS: '127.0.0.1' });
  });

  afterAll(async () => {
    for (const w of workers) await w.close();
    await h?.stop();
    await receiver?.stop();
  });

  it('the api only queues its events; two workers started later compete for the fan-out jobs, and each delivery is made and sent once, its attempt counted', async () => {
    const EVENTS = 40;
    const admin = await h.token();
    const auth = { Authorization: `Bearer ${admin}` };
    const itemId = await h.addNotebook(admin, 'admin', minimalNotebook(), 'queued fan-out');
    const res = await h.http
      .post('/sharing/rest/portals/self/webhooks/createWebhook')
      .set(auth)
      .type('form')
      .send({ name: 'queued', url: receiver.url('/queued'), changes: 'manualChanges', events: `/items/${itemId}/update` });
    expect(res.status).toBe(200);
    const hookId = res.body.webhook.id;
    for (let i = 0; i < EVENTS; i++) {
      expect((await h.http.post(`/sharing/rest/content/users/admin/items/${itemId}/update`).set(auth).type('form').send({ title: `queued ${i}` })).status).toBe(200);
    }
    await sleep(500);
    const rows = async () => (await h.ds.query(`SELECT status, attempts FROM webhook_deliveries WHERE webhook_id = $1`, [hookId])) as Array<{ status: string; attempts: number }>;
    expect(await rows()).toHaveLength(0); // no worker yet: the events wait on the fan-out queue

    for (const n of ['a', 'b']) workers.push(await startWorker({ ...h.config, nodeName: `${h.config.nodeName}-${n}` }));
    await eventually(async () => receiver.at('/queued').length >= EVENTS, 60_000, 100);
    await sleep(1000); // a duplicate, if any, would arrive meanwhile
    expect(receiver.at('/queued')).toHaveLength(EVENTS);
    expect(new Set(receiver.at('/queued').map((r) => r.headers['webhook-id'])).size).toBe(EVENTS);
    const done = await eventually(async () => {
      const rs = await rows();
      return rs.length === EVENTS && rs.every((r) => r.status === 'succeeded') && rs;
    }, 10_000);
    expect(done.every((r) => r.attempts === 1)).toBe(true);
  });
});
