import { INestApplicationContext } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';
import { AppConfig, APP_CONFIG } from '@app/config';
import { FakeClock } from '@app/clock';
import { DomainEventEntity } from '@app/db';
import { RedisConnections } from '@app/queues';
import { DeliveryProcessor, DeliveryQueue, FanoutService, WebhookRunListener, WebhooksHousekeeping, WebhooksRepository } from '@app/webhooks';
import { ApiHarness, minimalNotebook } from './support/api-harness';
import { closedPort, Received, TestReceiver } from './support/webhook-receiver';
import { eventually, sleep, startWorker } from './support/worker-harness';

/**
 * Verifies a delivery per the Standard Webhooks rules, written here from the specification and not with the
 * server's helper: the signed content is `${webhook-id}.${webhook-timestamp}.${body}`, HMAC-SHA256 keyed with
 * the secret's bytes, Base64; `webhook-signature` is a space-separated list of `v1,<signature>`.
 */
function verifyStandardWebhook(secret: string, r: Received, toleranceSec = 300): boolean {
  const id = r.headers['webhook-id'] as string;
  const ts = r.headers['webhook-timestamp'] as string;
  const sigs = r.headers['webhook-signature'] as string;
  if (!id || !ts || !sigs || !/^\d+$/.test(ts)) return false;
  if (Math.abs(Date.now() / 1000 - Number(ts)) > toleranceSec) return false;
  const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${id}.${ts}.${r.body}`).digest();
  return sigs.split(' ').some((s) => {
    const [version, sig] = s.split(',');
    const given = Buffer.from(sig ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

describe('organization webhooks (real receiver on loopback, Postgres, Redis, BullMQ)', () => {
  let h: ApiHarness;
  let worker: INestApplicationContext;
  let receiver: TestReceiver;
  let admin: string;
  let adminId: string;
  const base = '/sharing/rest/portals/self/webhooks';
  const auth = () => ({ Authorization: `Bearer ${admin}` });

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    h = await ApiHarness.start({ WEBHOOK_ALLOW_PRIVATE_TARGETS: '127.0.0.1', HEARTBEAT_SECONDS: '1' });
    worker = await startWorker(h.config);
    admin = await h.token();
    adminId = (await h.http.get('/sharing/rest/community/self').set(auth())).body.id;
    const s = await h.http
      .post(`${base}/settings/update`)
      .set(auth())
      .type('form')
      .send({ notificationAttempts: '3', notificationTimeOutInSeconds: '5', notificationElapsedTimeInSeconds: '1' });
    expect(s.status).toBe(200);
  });

  afterAll(async () => {
    await worker?.close();
    await h?.stop();
    await receiver?.stop();
  });

  async function createWebhook(params: Record<string, string>) {
    const res = await h.http.post(`${base}/createWebhook`).set(auth()).type('form').send({ f: 'json', ...params });
    if (res.status !== 200) throw new Error(`createWebhook: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.webhook as { id: string; [k: string]: unknown };
  }

  const status = async (id: string, q = '') => (await h.http.get(`${base}/${id}/notificationStatus${q}`).set(auth())).body;
  /** The worker's housekeeping pass, built by hand around a clock the test sets. */
  const housekeepingAt = (clock: FakeClock) => {
    const get = <T>(t: new (...a: never[]) => T) => worker.get(t, { strict: false });
    return new WebhooksHousekeeping(
      get(WebhooksRepository),
      get(FanoutService),
      get(DeliveryQueue),
      get(WebhookRunListener),
      get(RedisConnections),
      clock,
      worker.get<AppConfig>(APP_CONFIG, { strict: false }),
    );
  };
  const webhookCount = async () => (await h.ds.query('SELECT count(*)::int AS n FROM webhooks'))[0].n as number;

  async function updateItem(id: string, title: string) {
    const res = await h.http.post(`/sharing/rest/content/users/admin/items/${id}/update`).set(auth()).type('form').send({ title });
    expect(res.status).toBe(200);
  }

  describe('creating is refused, with a clear 400 and nothing saved', () => {
    it.each([
      ['a closed loopback port (connection refused)', async () => `http://127.0.0.1:${await closedPort()}/hook`, /did not answer: connection refused/],
      ['a private address', async () => 'http://10.0.0.1/hook', /10\.0\.0\.1 is a loopback, private or reserved address/],
      ['the cloud metadata address', async () => 'http://169.254.169.254/latest/meta-data', /link-local or cloud metadata/],
      ['an IPv4-mapped private address', async () => 'http://[::ffff:10.0.0.1]/hook', /private or reserved/],
      ['a non-HTTP scheme', async () => 'ftp://127.0.0.1/hook', /must start with http/],
    ])('%s', async (_, url, message) => {
      const res = await h.http.post(`${base}/createWebhook`).set(auth()).type('form').send({ name: 'bad', url: await url(), changes: 'allChanges' });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
      expect(await webhookCount()).toBe(0);
    });

    it('unknown trigger URIs are named; manualChanges needs events', async () => {
      const bad = await h.http
        .post(`${base}/createWebhook`)
        .set(auth())
        .type('form')
        .send({ name: 'x', url: receiver.url('/x'), changes: 'manualChanges', events: '/items,/items/frobnicate,/widgets' });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain("'/items/frobnicate', '/widgets'");
      const none = await h.http.post(`${base}/createWebhook`).set(auth()).type('form').send({ name: 'x', url: receiver.url('/x') });
      expect(none.status).toBe(400);
      expect(none.body.error.message).toMatch(/events: required when changes is manualChanges/);
      expect(await webhookCount()).toBe(0);
    });

    it('only administrators manage webhooks', async () => {
      const bob = await h.user('bob');
      const res = await h.http.post(`${base}/createWebhook`).set('Authorization', `Bearer ${bob}`).type('form').send({ name: 'x', url: receiver.url('/x'), changes: 'allChanges' });
      expect(res.status).toBe(403);
      expect((await h.http.get(base).set('Authorization', `Bearer ${bob}`)).status).toBe(403);
      expect(await webhookCount()).toBe(0);
    });
  });

  describe('an item\'s life delivered to a webhook on /items, and not to one on /groups', () => {
    const secret = 'items-hook-secret';
    let itemsHook: { id: string };
    let groupsHook: { id: string };
    let itemId: string;

    beforeAll(async () => {
      itemsHook = await createWebhook({ name: 'Item monitoring', url: receiver.url('/items-hook'), secret, changes: 'manualChanges', events: '/items' });
      groupsHook = await createWebhook({ name: 'Group monitoring', url: receiver.url('/groups-hook'), secret: 'g', changes: 'manualChanges', events: '/groups' });
      itemId = await h.addNotebook(admin, 'admin', minimalNotebook(), 'watched');
      await updateItem(itemId, 'watched, renamed');
      expect((await h.http.post(`/sharing/rest/content/users/admin/items/${itemId}/share`).set(auth()).type('form').send({ everyone: 'true' })).status).toBe(200);
      expect((await h.http.post(`/sharing/rest/content/users/admin/items/${itemId}/delete`).set(auth())).status).toBe(200);
      await eventually(async () => receiver.at('/items-hook').length >= 4, 30_000);
    });

    it('the createWebhook answer has the documented shape, secret masked', async () => {
      const w = (await h.http.get(`${base}/${itemsHook.id}`).set(auth())).body;
      expect(w).toEqual({
        id: itemsHook.id,
        accountId: h.config.org.id,
        payloadUrl: receiver.url('/items-hook'),
        secret: '********',
        isActive: true,
        name: 'Item monitoring',
        config: { deactivationPolicy: { numberOfFailures: 5, daysInPast: 5 } },
        ownerId: adminId,
        modifiedId: adminId,
        created: expect.any(Number),
        modified: expect.any(Number),
        events: ['/items'],
        inactiveEvents: [],
      });
    });

    it('delivers the four payloads, each in the seeds\' shape field by field', async () => {
      const got = receiver.at('/items-hook');
      expect(got).toHaveLength(4);
      const byOp = new Map(got.map((r) => [JSON.parse(r.body).events[0].operation as string, JSON.parse(r.body)]));
      expect([...byOp.keys()].sort()).toEqual(['add', 'delete', 'share', 'update']);
      const expected: Record<string, object> = { add: {}, update: {}, share: { sharedToGroups: ['Everyone'] }, delete: {} };
      for (const [op, properties] of Object.entries(expected)) {
        const p = byOp.get(op);
        expect(p).toEqual({
          info: { webhookName: 'Item monitoring', webhookId: itemsHook.id, portalURL: `${h.config.http.publicUrl}/`, when: expect.any(Number) },
          events: [{ username: 'admin', userId: adminId, when: expect.any(Number), operation: op, source: 'item', id: itemId, properties }],
        });
      }
      for (const r of got) expect(r.headers['content-type']).toBe('application/json');
    });

    it('delivers nothing to the webhook on /groups', async () => {
      expect(receiver.at('/groups-hook')).toHaveLength(0);
      expect((await status(groupsHook.id)).total).toBe(0);
    });

    it('signs each delivery: Standard Webhooks and x-esriHook-Signature; no plain secret over http', async () => {
      const log = (await status(itemsHook.id, '?num=10')).WebhookStatus as Array<{ id: string }>;
      for (const r of receiver.at('/items-hook')) {
        expect(verifyStandardWebhook(secret, r)).toBe(true);
        expect(verifyStandardWebhook('another secret', r)).toBe(false);
        expect(verifyStandardWebhook(secret, { ...r, body: r.body.replace('admin', 'eve') })).toBe(false);
        const esri = createHmac('sha256', Buffer.from(secret, 'utf8')).update(r.body).digest('base64');
        expect(r.headers['x-esrihook-signature']).toBe(`sha256=${esri}`);
        // The reference library, as its documentation says to call it for a non-whsec_ secret.
        expect(() => new Webhook(secret, { format: 'raw' }).verify(r.body, r.headers as Record<string, string>)).not.toThrow();
        // WEBHOOK_SEND_PLAIN_SECRET defaults to https: this receiver is http://.
        expect(r.headers['secret']).toBeUndefined();
        // The webhook-id is the notification record's id.
        expect(log.map((l) => l.id)).toContain(r.headers['webhook-id']);
      }
    });

    it('notificationStatus records each delivery, paged', async () => {
      const all = await status(itemsHook.id, '?num=10');
      expect(all).toMatchObject({ total: 4, start: 1, num: 10, nextStart: -1 });
      for (const rec of all.WebhookStatus) {
        expect(rec).toMatchObject({ id: expect.any(String), isInvoked: true, invokedTimestamp: expect.any(Number), responseText: 'thanks', status: 'succeeded', attempts: 1, httpStatus: 200 });
        expect(rec.payload.info.webhookId).toBe(itemsHook.id);
      }
      const first = await status(itemsHook.id, '?num=3');
      expect(first).toMatchObject({ total: 4, start: 1, num: 3, nextStart: 4 });
      expect(first.WebhookStatus).toHaveLength(3);
      const second = await status(itemsHook.id, '?start=4&num=3');
      expect(second).toMatchObject({ total: 4, start: 4, nextStart: -1 });
      expect(second.WebhookStatus).toHaveLength(1);
    });
  });

  describe('secrets', () => {
    const verifies = (secret: string, r: Received, raw = false) => {
      try {
        new Webhook(secret, raw ? { format: 'raw' } : undefined).verify(r.body, r.headers as Record<string, string>);
        return true;
      } catch {
        return false;
      }
    };
    let itemId: string;
    beforeAll(async () => {
      itemId = await h.addNotebook(admin, 'admin', minimalNotebook(), 'secret target');
    });

    it('a secret that is not printable ASCII is refused with a 400 naming the rule, and nothing is saved', async () => {
      const before = await webhookCount();
      for (const bad of ['sécret', 'tab\tinside', 'whsec_dG9vc2hvcnQ=']) {
        const res = await h.http.post(`${base}/createWebhook`).set(auth()).type('form').send({ name: 'bad secret', url: receiver.url('/x'), secret: bad, changes: 'allChanges' });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(/secret: (must be printable ASCII|a whsec_ secret must be)/);
        expect(JSON.stringify(res.body)).not.toContain(bad);
      }
      expect(await webhookCount()).toBe(before);
    });

    it('generateSecret=true: a whsec_ secret shown once, then masked; deliveries verify with new Webhook(secret)', async () => {
      const res = await h.http
        .post(`${base}/createWebhook`)
        .set(auth())
        .type('form')
        .send({ name: 'generated', url: receiver.url('/generated'), generateSecret: 'true', changes: 'manualChanges', events: `/items/${itemId}/update` });
      expect(res.status).toBe(200);
      const secret = res.body.webhook.secret as string;
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect((await h.http.get(`${base}/${res.body.webhook.id}`).set(auth())).body.secret).toBe('********');
      await updateItem(itemId, 'generated secret');
      const [r] = await eventually(async () => receiver.at('/generated').length > 0 && receiver.at('/generated'));
      expect(verifies(secret, r)).toBe(true);
      expect(verifies('whsec_' + Buffer.alloc(32, 7).toString('base64'), r)).toBe(false);
      const both = await h.http.post(`${base}/createWebhook`).set(auth()).type('form').send({ name: 'x', url: receiver.url('/x'), secret: 's', generateSecret: 'true', changes: 'allChanges' });
      expect(both.status).toBe(400);
      await h.http.post(`${base}/${res.body.webhook.id}/delete`).set(auth());
    });

    it('rotateSecret: during the overlap both secrets verify, after it only the new one', async () => {
      const old = 'the-old-secret';
      const w = await createWebhook({ name: 'rotating', url: receiver.url('/rotating'), secret: old, changes: 'manualChanges', events: `/items/${itemId}/update` });
      const rotated = await h.http.post(`${base}/${w.id}/rotateSecret`).set(auth()).type('form').send({ overlapSeconds: '3600' });
      expect(rotated.status).toBe(200);
      const next = rotated.body.webhook.secret as string;
      expect(next).toMatch(/^whsec_/);
      expect(rotated.body.webhook.previousSecretExpires).toBeGreaterThan(Date.now() + 3500_000);
      await updateItem(itemId, 'rotation, overlap');
      const [during] = await eventually(async () => receiver.at('/rotating').length > 0 && receiver.at('/rotating'));
      expect((during.headers['webhook-signature'] as string).split(' ')).toHaveLength(2);
      expect(verifies(next, during)).toBe(true);
      expect(verifies(old, during, true)).toBe(true);

      // Overlap 0: the previous secret (`next`) stops signing at once.
      const again = await h.http.post(`${base}/${w.id}/rotateSecret`).set(auth()).type('form').send({ secret: 'the-newest-secret', overlapSeconds: '0' });
      expect(again.status).toBe(200);
      expect(again.body.webhook.secret).toBe('********');
      await updateItem(itemId, 'rotation, after');
      const after = (await eventually(async () => receiver.at('/rotating').length > 1 && receiver.at('/rotating')))[1];
      expect((after.headers['webhook-signature'] as string).split(' ')).toHaveLength(1);
      expect(verifies('the-newest-secret', after, true)).toBe(true);
      expect(verifies(next, after)).toBe(false);
      await h.http.post(`${base}/${w.id}/delete`).set(auth());
    });
  });

  it('a sign-in reaches a webhook on /users/<username>/signin (operations match case-insensitively)', async () => {
    const w = await createWebhook({ name: 'sign-ins', url: receiver.url('/signin-hook'), changes: 'manualChanges', events: '/users/admin/signin' });
    await h.token();
    const [r] = await eventually(async () => receiver.at('/signin-hook').length > 0 && receiver.at('/signin-hook'));
    expect(JSON.parse(r.body).events[0]).toMatchObject({ operation: 'signIn', source: 'user', id: 'admin', username: 'admin' });
    // No secret: no signature and no secret header.
    expect(r.headers['webhook-signature']).toBeUndefined();
    expect(r.headers['secret']).toBeUndefined();
    await h.http.post(`${base}/${w.id}/delete`).set(auth());
  });

  it('a receiver that answers 500 twice then 200 gets 3 attempts, one record, and the log shows success', async () => {
    const itemId = await h.addNotebook(admin, 'admin', minimalNotebook(), 'flaky target');
    receiver.respond('/flaky', [500, 500, 200]);
    const w = await createWebhook({ name: 'flaky', url: receiver.url('/flaky'), secret: 's', changes: 'manualChanges', events: `/items/${itemId}/update` });
    await updateItem(itemId, 'changed');
    const rec = await eventually(async () => {
      const s = await status(w.id);
      return s.WebhookStatus[0]?.status === 'succeeded' ? s : null;
    }, 30_000);
    expect(rec.total).toBe(1);
    expect(rec.WebhookStatus[0]).toMatchObject({ isInvoked: true, attempts: 3, httpStatus: 200, status: 'succeeded' });
    const got = receiver.at('/flaky');
    expect(got).toHaveLength(3);
    // Retries are the same message.
    expect(new Set(got.map((r) => r.headers['webhook-id']))).toEqual(new Set([rec.WebhookStatus[0].id]));
    expect(new Set(got.map((r) => r.body)).size).toBe(1);
  });

  it('a receiver that never answers 2xx: attempts exhausted, deactivated after numberOfFailures, nothing more sent; redelivery', async () => {
    const itemId = await h.addNotebook(admin, 'admin', minimalNotebook(), 'broken target');
    receiver.respond('/broken', [500]);
    const w = await createWebhook({
      name: 'broken',
      url: receiver.url('/broken'),
      secret: 'b',
      changes: 'manualChanges',
      events: `/items/${itemId}/update`,
      config: JSON.stringify({ deactivationPolicy: { numberOfFailures: 2, daysInPast: 1 } }),
    });
    await updateItem(itemId, 'one');
    await updateItem(itemId, 'two');
    const view = await eventually(async () => {
      const v = (await h.http.get(`${base}/${w.id}`).set(auth())).body;
      return v.isActive === false ? v : null;
    }, 30_000);
    expect(view.deactivationReason).toMatch(/2 failed deliveries within 1 day/);
    const log = await status(w.id);
    expect(log.total).toBe(2);
    for (const rec of log.WebhookStatus) expect(rec).toMatchObject({ status: 'failed', isInvoked: false, attempts: 3, httpStatus: 500 });
    expect(receiver.at('/broken')).toHaveLength(6);

    // Inactive: a matching event makes a failed "not sent" record (for recover), no request, no failure counted.
    await updateItem(itemId, 'three');
    const notSent = await eventually(async () => {
      const s = await status(w.id);
      return s.total === 3 && s.WebhookStatus[0];
    });
    expect(notSent).toMatchObject({ status: 'failed', attempts: 0, isInvoked: false, responseText: expect.stringMatching(/^Not sent: the webhook was inactive/) });
    await sleep(300);
    expect(receiver.at('/broken')).toHaveLength(6);

    // Redelivery of a failed record (once active again) is the same message: same webhook-id, no new record.
    const failed = log.WebhookStatus[0];
    expect((await h.http.post(`${base}/${w.id}/notificationStatus/${failed.id}/redeliver`).set(auth())).status).toBe(409);
    expect((await h.http.post(`${base}/${w.id}/activate`).set(auth())).body.webhook.isActive).toBe(true);
    receiver.respond('/broken', [200]);
    expect((await h.http.post(`${base}/${w.id}/notificationStatus/${failed.id}/redeliver`).set(auth())).status).toBe(200);
    await eventually(async () => (await status(w.id)).WebhookStatus.find((r: { id: string; status: string }) => r.id === failed.id)?.status === 'succeeded', 30_000);
    const last = receiver.at('/broken').at(-1)!;
    expect(last.headers['webhook-id']).toBe(failed.id);
    expect(JSON.parse(last.body)).toEqual(failed.payload);
    expect((await status(w.id)).total).toBe(3);
    // Only failed records can be redelivered.
    expect((await h.http.post(`${base}/${w.id}/notificationStatus/${failed.id}/redeliver`).set(auth())).status).toBe(409);
  });

  describe('honest records, recover, retry schedules', () => {
    const failures = async (id: string) => (await h.ds.query('SELECT count(*)::int AS n FROM webhook_failures WHERE webhook_id = $1', [id]))[0].n as number;
    const view = async (id: string) => (await h.http.get(`${base}/${id}`).set(auth())).body;

    it('an attempt is counted before it is sent: a request in flight already shows in the record', async () => {
      const itemId = await h.addNotebook(admin, 'admin', minimalNotebook(), 'slow target');
      receiver.slow('/slow', 1500);
      const w = await createWebhook({ name: 'slow', url: receiver.url('/slow'), changes: 'manualChanges', events: `/items/${itemId}/update` });
      await updateItem(itemId, 'slowly');
      await eventually(async () => receiver.at('/slow').length === 1, 10_000, 20);
      const inFlight = (await status(w.id)).WebhookStatus[0];
      expect(inFlight).toMatchObject({ status: 'pending', attempts: 1, invokedTimestamp: expect.any(Number) });
      const done = await eventually(async () => {
        const r = (await status(w.id)).WebhookStatus[0];
        return r.status === 'succeeded' && r;
      }, 10_000);
      expect(done).toMatchObject({ attempts: 1, httpStatus: 200 });
      expect(receiver.at('/slow')[0].headers['webhook-id']).toBe(done.id);
    });

    it('after a crash mid-send the job runs again as a new counted attempt, same webhook-id; an interrupted last attempt closes the record', async () => {
      const itemId = await h.addNotebook(admin, 'admin', minimalNotebook(), 'crash target');
      const w = await createWebhook({ name: 'crashy', url: receiver.url('/crashy'), changes: 'manualChanges', events: `/items/${itemId}/update` });
      await updateItem(itemId, 'before the crash');
      const first = await eventually(async () => {
        const r = (await status(w.id)).WebhookStatus[0];
        return r?.status === 'succeeded' && r;
      });
      const processor = worker.get(DeliveryProcessor, { strict: false });
      // As a worker killed after sending attempt 1 and before recording it leaves the row: counted, still pending.
      await h.ds.query(`UPDATE webhook_deliveries SET status = 'pending', finished_at = NULL WHERE id = $1`, [first.id]);
      await processor.handle(first.id, w.id);
      const again = (await status(w.id)).WebhookStatus[0];
      expect(again).toMatchObject({ id: first.id, status: 'succeeded', attempts: 2 });
      expect(receiver.at('/crashy').map((r) => r.headers['webhook-id'])).toEqual([first.id, first.id]);

      // Killed during the last attempt: nothing is sent again; the record says so and counts one failure.
      await h.ds.query(`UPDATE webhook_deliveries SET status = 'pending', finished_at = NULL, attempts = max_attempts WHERE id = $1`, [first.id]);
      await processor.handle(first.id, w.id);
      const closed = (await status(w.id)).WebhookStatus[0];
      expect(closed).toMatchObject({ status: 'failed', responseText: expect.stringMatching(/was interrupted/) });
      expect(receiver.at('/crashy')).toHaveLength(2);
      expect((await h.ds.query('SELECT count(*)::int AS n FROM webhook_failures WHERE webhook_id = $1', [w.id]))[0].n).toBe(1);
    });

    it('recover: reactivating offers the failed records; recover sends those since `since` again, as the same messages', async () => {
      const itemId = await h.addNotebook(admin, 'admin', minimalNotebook(), 'recover target');
      receiver.respond('/recover', [500]);
      const w = await createWebhook({
        name: 'recovering',
        url: receiver.url('/recover'),
        changes: 'manualChanges',
        events: `/items/${itemId}/update`,
        config: JSON.stringify({ deactivationPolicy: { numberOfFailures: 2, daysInPast: 1 }, retrySchedule: [1] }),
      });
      await updateItem(itemId, 'r1');
      await updateItem(itemId, 'r2');
      await eventually(async () => (await view(w.id)).isActive === false, 30_000);
      const failed = (await status(w.id)).WebhookStatus as Array<{ id: string; status: string; attempts: number; maxAttempts: number; created: number }>;
      expect(failed.map((r) => [r.status, r.attempts, r.maxAttempts])).toEqual([['failed', 2, 2], ['failed', 2, 2]]);
      expect(receiver.at('/recover')).toHaveLength(4);
      expect((await h.http.post(`${base}/${w.id}/recover`).set(auth()).type('form').send({ since: '0' })).status).toBe(409);

      const activated = (await h.http.post(`${base}/${w.id}/activate`).set(auth())).body;
      expect(activated).toMatchObject({ success: true, failedRecords: 2, failedSince: Math.min(...failed.map((r) => r.created)) });
      receiver.respond('/recover', [200]);
      const none = await h.http.post(`${base}/${w.id}/recover`).set(auth()).type('form').send({ since: String(Date.now() + 1000) });
      expect(none.body).toEqual({ success: true, recovered: 0 });
      const bad = await h.http.post(`${base}/${w.id}/recover`).set(auth()).type('form').send({ since: 'yesterday' });
      expect(bad.status).toBe(400);
      const res = await h.http.post(`${base}/${w.id}/recover`).set(auth()).type('form').send({ since: String(activated.failedSince) });
      expect(res.body).toEqual({ success: true, recovered: 2 });
      await eventually(async () => (await status(w.id)).WebhookStatus.every((r: { status: string }) => r.status === 'succeeded'), 30_000);
      const resent = receiver.at('/recover').slice(4);
      expect(resent).toHaveLength(2);
      expect(new Set(resent.map((r) => r.headers['webhook-id']))).toEqual(new Set(failed.map((r) => r.id)));
      expect((await status(w.id)).total).toBe(2);
    });

    it('config.retrySchedule: attempts over hours (driven by a FakeClock); the policy counts the delivery only when the schedule is spent', async () => {
      const itemId = await h.addNotebook(admin, 'admin', minimalNotebook(), 'long horizon');
      receiver.respond('/long', [503]);
      const bad = await h.http
        .post(`${base}/createWebhook`)
        .set(auth())
        .type('form')
        .send({ name: 'x', url: receiver.url('/long'), changes: 'allChanges', config: JSON.stringify({ retrySchedule: [0] }) });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/config\.retrySchedule/);
      const w = await createWebhook({
        name: 'long horizon',
        url: receiver.url('/long'),
        changes: 'manualChanges',
        events: `/items/${itemId}/update`,
        config: JSON.stringify({ deactivationPolicy: { numberOfFailures: 1, daysInPast: 5 }, retrySchedule: [300, 7200] }),
      });
      await updateItem(itemId, 'once');
      const first = await eventually(async () => {
        const r = (await status(w.id)).WebhookStatus[0];
        return r?.attempts === 1 && r.nextAttemptAt && r;
      }, 10_000);
      expect(first).toMatchObject({ status: 'pending', maxAttempts: 3 });
      expect(first.nextAttemptAt - first.invokedTimestamp).toBeGreaterThanOrEqual(299_000);
      expect(first.nextAttemptAt - first.invokedTimestamp).toBeLessThanOrEqual(301_000);
      await sleep(1500);
      expect(receiver.at('/long')).toHaveLength(1); // nothing before the pause
      expect(await failures(w.id)).toBe(0);

      const clock = new FakeClock(new Date(Date.now() + 301_000 + 60_000));
      await housekeepingAt(clock).pass();
      const second = await eventually(async () => {
        const r = (await status(w.id)).WebhookStatus[0];
        return r.attempts === 2 && r.nextAttemptAt && r;
      }, 10_000);
      expect(second.nextAttemptAt - second.invokedTimestamp).toBeGreaterThanOrEqual(7_199_000);
      expect(receiver.at('/long')).toHaveLength(2);
      expect(await failures(w.id)).toBe(0);
      expect((await view(w.id)).isActive).toBe(true);

      clock.advance(7200_000);
      await housekeepingAt(clock).pass();
      const last = await eventually(async () => {
        const r = (await status(w.id)).WebhookStatus[0];
        return r.status === 'failed' && r;
      }, 10_000);
      expect(last).toMatchObject({ attempts: 3, nextAttemptAt: null, httpStatus: 503 });
      expect(receiver.at('/long')).toHaveLength(3);
      expect(new Set(receiver.at('/long').map((r) => r.headers['webhook-id'])).size).toBe(1);
      await eventually(async () => (await failures(w.id)) === 1 && (await view(w.id)).isActive === false, 10_000);
    });
  });

  it('only webhooks that existed when the event happened get it', async () => {
    const itemId = await h.addNotebook(admin, 'admin', minimalNotebook(), 'before and after');
    const early = await createWebhook({ name: 'early', url: receiver.url('/early'), changes: 'manualChanges', events: `/items/${itemId}/update` });
    await updateItem(itemId, 'first');
    const late = await createWebhook({ name: 'late', url: receiver.url('/late'), changes: 'manualChanges', events: `/items/${itemId}/update` });
    await eventually(async () => receiver.at('/early').length === 1);
    await sleep(500);
    expect(receiver.at('/late')).toHaveLength(0);
    expect((await status(late.id)).total).toBe(0);
    // The first event, fanned out again (the sweep after a crash would), still reaches only the early one.
    const [event] = await h.ds.query(`SELECT e.* FROM domain_events e WHERE e.target_id = $1 AND e.operation = 'update'`, [itemId]);
    const fanout = worker.get(FanoutService, { strict: false });
    const row = Object.assign(new DomainEventEntity(), { id: event.id, source: event.source, operation: event.operation, targetId: event.target_id, username: event.username, userId: event.user_id, occurredAt: new Date(event.occurred_at), properties: event.properties, origin: event.origin });
    expect(await fanout.fanOut([row])).toBe(0);
    expect((await status(early.id)).total).toBe(1);
    expect((await status(late.id)).total).toBe(0);
  });

  it('administrators can publish events from elsewhere; they fan out like our own', async () => {
    const groupId = 'd'.repeat(32);
    await createWebhook({ name: 'remote groups', url: receiver.url('/remote'), changes: 'manualChanges', events: `/groups/${groupId}/addUsers` });
    const event = { username: 'remote-admin', userId: 'e'.repeat(32), when: 1543192196521, operation: 'addUsers', source: 'group', id: groupId, properties: { addedUserNames: ['u1'] } };
    const bob = await h.token('bob', 'bob-password');
    const refused = await h.http.post(`${base}/events/ingest`).set('Authorization', `Bearer ${bob}`).send({ events: [event] });
    expect(refused.status).toBe(403);
    const bad = await h.http.post(`${base}/events/ingest`).set(auth()).send({ events: [{ ...event, source: 'planet' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/source: must be item, group, user or role/);
    const res = await h.http.post(`${base}/events/ingest`).set(auth()).send({ events: [event, { ...event, id: 'f'.repeat(32) }] });
    expect(res.status).toBe(200);
    expect(res.body.eventIds).toHaveLength(2);
    const [r] = await eventually(async () => receiver.at('/remote').length > 0 && receiver.at('/remote'));
    expect(JSON.parse(r.body).events).toEqual([event]);
    expect(receiver.at('/remote')).toHaveLength(1);
  });

  it('an ingested event published again under its key is stored and delivered once', async () => {
    const groupId = 'a'.repeat(32);
    await createWebhook({ name: 'keyed', url: receiver.url('/keyed'), changes: 'manualChanges', events: `/groups/${groupId}/update` });
    const event = { username: 'remote-admin', userId: 'e'.repeat(32), when: 1543192196521, operation: 'update', source: 'group', id: groupId, properties: {} };
    const first = await h.http.post(`${base}/events/ingest`).set(auth()).send({ events: [{ ...event, key: 'portal-a:event-1' }] });
    expect(first.status).toBe(200);
    // The publisher retries (its first answer was lost), now with a second, new event beside it.
    const again = await h.http
      .post(`${base}/events/ingest`)
      .set(auth())
      .send({ events: [{ ...event, key: 'portal-a:event-1' }, { ...event, when: 1543192199999, key: 'portal-a:event-2' }] });
    expect(again.status).toBe(200);
    expect(again.body.eventIds[0]).toBe(first.body.eventIds[0]);
    expect(again.body.eventIds[1]).not.toBe(first.body.eventIds[0]);
    await eventually(async () => receiver.at('/keyed').length >= 2);
    await sleep(1000); // a duplicate delivery would have arrived by now
    const delivered = receiver.at('/keyed').map((r) => JSON.parse(r.body).events[0]);
    expect(delivered.map((e: { when: number }) => e.when).sort()).toEqual([1543192196521, 1543192199999]);
    expect(delivered[0]).not.toHaveProperty('key');
  });

  it('an event whose fan-out was lost (crash after the commit) is swept by the housekeeping pass, once', async () => {
    const w = await createWebhook({ name: 'swept', url: receiver.url('/swept'), changes: 'manualChanges', events: '/roles/add' });
    // Recorded as a process that died before fanning out would leave it: stored, never announced.
    const eventId = '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
    await h.ds.query(
      `INSERT INTO domain_events (id, source, operation, target_id, username, user_id, occurred_at, properties, origin)
       VALUES ($1, 'role', 'add', 'analyst', 'admin', $2, now(), '{"name":["analyst"]}', 'local')`,
      [eventId, adminId],
    );
    const later = new FakeClock(new Date(Date.now() + 60_000));
    const housekeeping = housekeepingAt(later);
    expect((await housekeeping.pass()).swept).toBeGreaterThanOrEqual(1);
    const [r] = await eventually(async () => receiver.at('/swept').length > 0 && receiver.at('/swept'));
    expect(JSON.parse(r.body).events[0]).toMatchObject({ operation: 'add', source: 'role', id: 'analyst', properties: { name: ['analyst'] } });
    expect((await housekeeping.pass()).swept).toBe(0);
    expect((await status(w.id)).total).toBe(1);
  });

  it('settings: documented defaults and ranges', async () => {
    const s = (await h.http.get(`${base}/settings`).set(auth())).body;
    expect(s).toEqual({ notificationAttempts: 3, notificationTimeOutInSeconds: 5, notificationElapsedTimeInSeconds: 1 });
    for (const bad of [{ notificationAttempts: '6' }, { notificationAttempts: '-1' }, { notificationTimeOutInSeconds: '61' }, { notificationElapsedTimeInSeconds: '0' }, { notificationElapsedTimeInSeconds: '101' }]) {
      const res = await h.http.post(`${base}/settings/update`).set(auth()).type('form').send(bad);
      expect(res.status).toBe(400);
    }
    expect((await h.http.get(`${base}/settings`).set(auth())).body).toEqual(s);
  });

  it('allChanges subscribes to "/"; update re-checks a changed URL', async () => {
    const w = await createWebhook({ name: 'all', url: receiver.url('/all'), changes: 'allChanges' });
    expect(w.events).toEqual(['/']);
    const bad = await h.http.post(`${base}/${w.id}/update`).set(auth()).type('form').send({ url: 'http://10.0.0.1/' });
    expect(bad.status).toBe(400);
    expect((await h.http.get(`${base}/${w.id}`).set(auth())).body.payloadUrl).toBe(receiver.url('/all'));
    const ok = await h.http.post(`${base}/${w.id}/update`).set(auth()).type('form').send({ name: 'all, renamed', changes: 'manualChanges', events: '/roles' });
    expect(ok.body.webhook).toMatchObject({ name: 'all, renamed', events: ['/roles'], payloadUrl: receiver.url('/all') });
    expect((await h.http.post(`${base}/${w.id}/delete`).set(auth())).body).toEqual({ success: true });
    expect((await h.http.get(`${base}/${w.id}`).set(auth())).status).toBe(404);
  });

  it('the housekeeping pass removes records past their retention (successful after 1 day, failed after 7)', async () => {
    const count = async (st: string) => (await h.ds.query('SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = $1', [st]))[0].n as number;
    // One successful and one failed record (a receiver that always fails, one attempt), made for real.
    await h.http.post(`${base}/settings/update`).set(auth()).type('form').send({ notificationAttempts: '1' });
    const itemId = await h.addNotebook(admin, 'admin', minimalNotebook(), 'fails once');
    receiver.respond('/fails', [503]);
    const fails = await createWebhook({ name: 'fails', url: receiver.url('/fails'), changes: 'manualChanges', events: `/items/${itemId}/update` });
    const fine = await createWebhook({ name: 'fine', url: receiver.url('/fine'), changes: 'manualChanges', events: `/items/${itemId}/update` });
    await updateItem(itemId, 'x');
    const finished = async () =>
      (await h.ds.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE webhook_id = ANY($1) AND status <> 'pending'`, [[fails.id, fine.id]]))[0].n as number;
    await eventually(async () => (await finished()) === 2, 30_000);
    // Fan-out runs after the commit, so wait until every recorded event is fanned out and every delivery
    // (other webhooks on /items too) has finished: only then do the counts below hold still.
    const unmarked = async () =>
      (await h.ds.query('SELECT count(*)::int AS n FROM domain_events e WHERE NOT EXISTS (SELECT 1 FROM webhook_event_marks m WHERE m.event_id = e.id)'))[0].n as number;
    await eventually(async () => (await unmarked()) === 0 && (await count('pending')) === 0, 30_000);
    const succeeded = await count('succeeded');
    const failed = await count('failed');

    const clock = new FakeClock(new Date(Date.now() + 24 * 3600_000 + 3600_000));
    const housekeeping = housekeepingAt(clock);
    const day1 = await housekeeping.pass();
    expect(day1).toMatchObject({ purgedSucceeded: succeeded, purgedFailed: 0 });
    expect(await count('succeeded')).toBe(0);
    expect(await count('failed')).toBe(failed);

    clock.advance(6 * 24 * 3600_000); // 7 days and an hour later
    const day7 = await housekeeping.pass();
    expect(day7.purgedFailed).toBe(failed);
    expect(await count('failed')).toBe(0);
  });

  it('lists webhooks paged past 25', async () => {
    const before = (await h.http.get(base).set(auth())).body.total as number;
    for (let i = 0; i < 26 - before; i++) await createWebhook({ name: `quiet ${i}`, url: receiver.url('/quiet'), changes: 'manualChanges', events: '/roles/delete' });
    const first = (await h.http.get(base).set(auth())).body;
    expect(first).toMatchObject({ total: 26, start: 1, num: 25, nextStart: 26 });
    expect(first.webhooks).toHaveLength(25);
    const second = (await h.http.get(`${base}?start=26`).set(auth())).body;
    expect(second).toMatchObject({ total: 26, start: 26, nextStart: -1 });
    expect(second.webhooks).toHaveLength(1);
    const orgId = (await h.http.get('/sharing/rest/portals/self').set(auth())).body.id;
    expect((await h.http.get(`/sharing/rest/portals/${orgId}/webhooks`).set(auth())).body.total).toBe(26);
    expect((await h.http.get('/sharing/rest/portals/someotherorg/webhooks').set(auth())).status).toBe(404);
  });
});

describe('WEBHOOK_SEND_PLAIN_SECRET=always', () => {
  it('sends the plain secret header over http too', async () => {
    const receiver = await TestReceiver.start();
    const h = await ApiHarness.start({ WEBHOOK_ALLOW_PRIVATE_TARGETS: '127.0.0.1', WEBHOOK_SEND_PLAIN_SECRET: 'always' });
    const worker = await startWorker(h.config);
    try {
      const admin = await h.token();
      const res = await h.http
        .post('/sharing/rest/portals/self/webhooks/createWebhook')
        .set('Authorization', `Bearer ${admin}`)
        .type('form')
        .send({ name: 'plain secret', url: receiver.url('/quiet-secret'), secret: 'shh', changes: 'manualChanges', events: '/items/add' });
      expect(res.status).toBe(200);
      await h.addNotebook(admin, 'admin');
      const [r] = await eventually(async () => receiver.at('/quiet-secret').length > 0 && receiver.at('/quiet-secret'));
      expect(r.headers['secret']).toBe('shh');
      expect(verifyStandardWebhook('shh', r)).toBe(true);
    } finally {
      await worker.close();
      await h.stop();
      await receiver.stop();
    }
  });
});

describe('https payload URLs (a receiver behind a private CA, trusted through WEBHOOK_CA_FILE)', () => {
  it('delivers over TLS and sends the plain secret header there (WEBHOOK_SEND_PLAIN_SECRET=https, the default)', async () => {
    const dir = `${__dirname}/support/tls`;
    const receiver = await TestReceiver.start({ key: readFileSync(`${dir}/loopback-test.key`, 'utf8'), cert: readFileSync(`${dir}/loopback-test.crt`, 'utf8') });
    const h = await ApiHarness.start({ WEBHOOK_ALLOW_PRIVATE_TARGETS: '127.0.0.1', WEBHOOK_CA_FILE: `${dir}/loopback-test.crt` });
    const worker = await startWorker(h.config);
    try {
      const admin = await h.token();
      expect(receiver.url('/tls')).toMatch(/^https:/);
      const res = await h.http
        .post('/sharing/rest/portals/self/webhooks/createWebhook')
        .set('Authorization', `Bearer ${admin}`)
        .type('form')
        .send({ name: 'over tls', url: receiver.url('/tls'), secret: 'tls-secret', changes: 'manualChanges', events: '/items/add' });
      expect(res.status).toBe(200);
      await h.addNotebook(admin, 'admin');
      const [r] = await eventually(async () => receiver.at('/tls').length > 0 && receiver.at('/tls'));
      expect(r.headers['secret']).toBe('tls-secret');
      expect(() => new Webhook('tls-secret', { format: 'raw' }).verify(r.body, r.headers as Record<string, string>)).not.toThrow();
    } finally {
      await worker.close();
      await h.stop();
      await receiver.stop();
    }
  });
});
