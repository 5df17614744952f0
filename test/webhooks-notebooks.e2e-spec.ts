import { INestApplicationContext } from '@nestjs/common';
import { createHmac, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { FakeClock } from '@app/clock';
import { WebhooksHousekeeping } from '@app/webhooks';
import { ApiHarness, minimalNotebook } from './support/api-harness';
import { nb } from './support/notebooks';
import { eventually, startWorker } from './support/worker-harness';

const code = (source: string, tags: string[] = []) => ({ cell_type: 'code', source, metadata: tags.length ? { tags } : {}, outputs: [], execution_count: null });

/** Text of every stream output of an executed notebook. */
const outputOf = (notebook: { cells: Array<{ outputs?: Array<{ text?: string | string[] }> }> }) =>
  notebook.cells.flatMap((c) => c.outputs ?? []).map((o) => [o.text ?? ''].flat().join('')).join('');

/**
 * Notebook webhooks and inbound receivers: real runs in Docker containers. The api runs on a FakeClock
 * (started at the real time) so the run's token can be shown to expire without waiting.
 */
describe('notebook webhooks and inbound receivers (Postgres, Redis, BullMQ, Docker)', () => {
  let h: ApiHarness;
  let worker: INestApplicationContext;
  let admin: string;
  const clock = new FakeClock(new Date());
  const auth = () => ({ Authorization: `Bearer ${admin}` });

  beforeAll(async () => {
    h = await ApiHarness.start({ HEARTBEAT_SECONDS: '1', INBOUND_WEBHOOK_MAX_BYTES: '4096' }, { clock });
    worker = await startWorker(h.config);
    admin = await h.token();
  });

  afterAll(async () => {
    await worker?.close();
    await h?.stop();
  });

  const job = async (id: string) => (await h.http.get(`/arcgis/admin/system/jobs/${id}`).set(auth())).body;
  const finished = (id: string) =>
    eventually(async () => {
      const j = await job(id);
      return ['COMPLETED', 'FAILED'].includes(j.status) ? j : null;
    }, 120_000);
  const executed = async (id: string) => (await h.http.get(`/arcgis/admin/system/jobs/${id}/notebook`).set(auth())).body;
  const runCount = async () => (await h.ds.query('SELECT count(*)::int AS n FROM runs'))[0].n as number;

  describe('a notebook webhook on /items/{id}/update', () => {
    it('runs its notebook in a container with the payload injected; its token is revoked when the run ends', async () => {
      const hookNotebook = await h.addNotebook(
        admin,
        'admin',
        nb(code('import os, json\nprint("PAYLOAD=" + json.dumps(webhook_payload))\nprint("TOKEN=" + os.environ["NBA_TOKEN"])\nprint("PORTAL=" + os.environ["NBA_PORTAL_URL"])')),
        'on update',
      );
      const target = await h.addNotebook(admin, 'admin', minimalNotebook(), 'target');
      const created = await h.http
        .post('/sharing/rest/portals/self/webhooks/createWebhook')
        .set(auth())
        .type('form')
        .send({
          name: 'run on update',
          changes: 'manualChanges',
          events: `/items/${target}/update`,
          config: JSON.stringify({
            deactivationPolicy: { numberOfFailures: 5, daysInPast: 5 },
            properties: { federatedServer: { itemId: hookNotebook, tokenTypeToSend: 'owner', tokenExpirationTimeMinutes: 5 } },
          }),
        });
      expect(created.status).toBe(200);
      const webhookId = created.body.webhook.id;
      expect(created.body.webhook.config.properties.federatedServer).toEqual({ itemId: hookNotebook, tokenTypeToSend: 'owner', tokenExpirationTimeMinutes: 5 });

      expect((await h.http.post(`/sharing/rest/content/users/admin/items/${target}/update`).set(auth()).type('form').send({ title: 'target, renamed' })).status).toBe(200);

      const record = await eventually(async () => {
        const s = (await h.http.get(`/sharing/rest/portals/self/webhooks/${webhookId}/notificationStatus`).set(auth())).body;
        return s.WebhookStatus[0]?.jobId && s.WebhookStatus[0].isInvoked ? s.WebhookStatus[0] : null;
      }, 60_000);
      const j = await finished(record.jobId);
      expect(j.status).toBe('COMPLETED');
      expect(j.type).toBe('executeNotebook');

      const out = outputOf(await executed(record.jobId));
      const payload = JSON.parse(/PAYLOAD=(.*)/.exec(out)![1]);
      expect(payload).toEqual({
        info: { webhookName: 'run on update', webhookId, portalURL: `${h.config.http.publicUrl}/`, when: expect.any(Number) },
        events: [{ username: 'admin', userId: expect.any(String), when: expect.any(Number), operation: 'update', source: 'item', id: target, properties: {} }],
        properties: { itemId: hookNotebook },
      });
      // The portal relay on the container's own loopback (the container has no network).
      expect(out).toMatch(/PORTAL=http:\/\/127\.0\.0\.1:\d+\/sharing\/rest/);

      // The record closes with the run's outcome.
      await eventually(async () => {
        const s = (await h.http.get(`/sharing/rest/portals/self/webhooks/${webhookId}/notificationStatus`).set(auth())).body;
        return s.WebhookStatus[0].status === 'succeeded';
      });

      // Had the worker died before hearing of the run's end, the housekeeping pass closes the record.
      await h.ds.query(`UPDATE webhook_deliveries SET status = 'submitted', finished_at = NULL WHERE run_id = $1`, [record.jobId]);
      await worker.get(WebhooksHousekeeping).pass();
      expect((await h.ds.query(`SELECT status FROM webhook_deliveries WHERE run_id = $1`, [record.jobId]))[0].status).toBe('succeeded');

      // The run's token was the owner's, and was revoked when the run ended (test/portal.e2e-spec.ts uses it during a run).
      const token = /TOKEN=(\S+)/.exec(out)![1];
      expect(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())).toMatchObject({ username: 'admin', purpose: 'run', run: record.jobId });
      const revoked = await h.http.get('/sharing/rest/community/self').set('Authorization', `Bearer ${token}`);
      expect(revoked.status).toBe(401);
      expect(revoked.body.error.code).toBe(498);
    });

    it('a failed run counts towards the deactivation policy; tokenTypeToSend=user hands the token of the user who caused the event', async () => {
      const failing = await h.addNotebook(
        admin,
        'admin',
        nb(code('import os, base64, json\ntok = os.environ["NBA_TOKEN"]\nprint("SUB=" + json.loads(base64.urlsafe_b64decode(tok.split(".")[1] + "=="))["username"])\nraise RuntimeError("webhook notebook failed")')),
        'failing hook',
      );
      const alice = await h.user('alice', 'org_admin');
      const aliceNotebook = await h.addNotebook(alice, 'alice', minimalNotebook(), 'alice target');
      const created = await h.http
        .post('/sharing/rest/portals/self/webhooks/createWebhook')
        .set(auth())
        .type('form')
        .send({
          name: 'failing',
          changes: 'manualChanges',
          events: `/items/${aliceNotebook}/update`,
          config: JSON.stringify({ deactivationPolicy: { numberOfFailures: 1, daysInPast: 1 }, properties: { federatedServer: { itemId: failing, tokenTypeToSend: 'user' } } }),
        });
      expect(created.status).toBe(200);
      const id = created.body.webhook.id;
      expect((await h.http.post(`/sharing/rest/content/users/alice/items/${aliceNotebook}/update`).set('Authorization', `Bearer ${alice}`).type('form').send({ title: 'by alice' })).status).toBe(200);
      const view = await eventually(async () => {
        const v = (await h.http.get(`/sharing/rest/portals/self/webhooks/${id}`).set(auth())).body;
        return v.isActive === false ? v : null;
      }, 120_000);
      expect(view.deactivationReason).toMatch(/1 failed deliveries within 1 day/);
      const rec = (await h.http.get(`/sharing/rest/portals/self/webhooks/${id}/notificationStatus`).set(auth())).body.WebhookStatus[0];
      expect(rec).toMatchObject({ status: 'failed', isInvoked: true });
      expect(rec.responseText).toMatch(/FAILED/);
      const j = await job(rec.jobId);
      expect(j.status).toBe('FAILED');
      expect(j.messages.join('\n')).toContain('webhook notebook failed');
      expect(outputOf(await executed(rec.jobId))).toContain('SUB=alice');
    });

    it('the creating administrator must own the notebook', async () => {
      const other = await h.user('otheradmin', 'org_admin');
      const adminsNotebook = await h.addNotebook(admin, 'admin', minimalNotebook(), 'not yours');
      const res = await h.http
        .post('/sharing/rest/portals/self/webhooks/createWebhook')
        .set('Authorization', `Bearer ${other}`)
        .type('form')
        .send({ name: 'x', changes: 'allChanges', config: JSON.stringify({ properties: { federatedServer: { itemId: adminsNotebook } } }) });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(/own the notebook/);
    });
  });

  describe('an inbound receiver', () => {
    const secret = 'r'.repeat(16) + 'S'.repeat(16);
    let receiverPath: string;
    let receiverId: string;

    beforeAll(async () => {
      const itemId = await h.addNotebook(
        admin,
        'admin',
        nb(code('greeting = "default"', ['parameters']), code('print("GOT", webhook_payload["msg"] if isinstance(webhook_payload, dict) else webhook_payload, greeting)')),
        'inbound',
      );
      const res = await h.http
        .post('/arcgis/admin/notebooks/webhookReceivers/create')
        .set(auth())
        .type('form')
        .send({ name: 'from github', itemId, secret, signatureHeaders: 'x-esrihook-signature,X-Hub-Signature-256', parameters: JSON.stringify({ greeting: 'hi-param' }) });
      expect(res.status).toBe(200);
      expect(res.body.webhookReceiver).toMatchObject({ name: 'from github', itemId, secret, signatureHeaders: 'x-esrihook-signature,x-hub-signature-256', parameters: { greeting: 'hi-param' }, disabled: false });
      receiverId = res.body.webhookReceiver.id;
      receiverPath = new URL(res.body.webhookReceiver.url).pathname;
    });

    const sign = (body: string) => createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('base64');

    it('runs its notebook on a correctly signed POST, answering 202 with the job id; payload and parameters injected', async () => {
      const body = JSON.stringify({ msg: 'hello-inbound', n: 1 });
      const res = await h.http.post(receiverPath).set('Content-Type', 'application/json').set('X-Hub-Signature-256', `sha256=${sign(body)}`).send(body);
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ status: 'success', jobId: expect.stringMatching(/^[0-9a-f]{32}$/) });
      const j = await finished(res.body.jobId);
      expect(j.status).toBe('COMPLETED');
      expect(outputOf(await executed(res.body.jobId))).toContain('GOT hello-inbound hi-param');
    });

    it('takes any content type: the signature is over the exact bytes', async () => {
      const body = 'plain text payload';
      const res = await h.http.post(receiverPath).set('Content-Type', 'text/plain').set('x-esrihook-signature', sign(body)).send(body);
      expect(res.status).toBe(202);
      const j = await finished(res.body.jobId);
      expect(j.status).toBe('COMPLETED');
      expect(outputOf(await executed(res.body.jobId))).toContain('GOT plain text payload hi-param');
    });

    it('refuses a tampered, unsigned or wrongly signed POST with 401 and starts nothing; too large with 413', async () => {
      const before = await runCount();
      const body = JSON.stringify({ msg: 'hello' });
      const tampered = await h.http.post(receiverPath).set('Content-Type', 'application/json').set('x-esrihook-signature', `sha256=${sign(body)}`).send(JSON.stringify({ msg: 'hellO' }));
      expect(tampered.status).toBe(401);
      expect(tampered.body.error.message).toMatch(/invalid signature/i);
      expect((await h.http.post(receiverPath).set('Content-Type', 'application/json').send(body)).status).toBe(401);
      expect((await h.http.post(receiverPath).set('Content-Type', 'application/json').set('x-other-signature', sign(body)).send(body)).status).toBe(401);
      const wrongKey = createHmac('sha256', 'not the secret').update(body).digest('base64');
      expect((await h.http.post(receiverPath).set('Content-Type', 'application/json').set('x-esrihook-signature', wrongKey).send(body)).status).toBe(401);
      const big = JSON.stringify({ msg: 'x'.repeat(5000) });
      const tooLarge = await h.http.post(receiverPath).set('Content-Type', 'application/json').set('x-esrihook-signature', sign(big)).send(big);
      expect(tooLarge.status).toBe(413);
      const bigText = 'y'.repeat(5000);
      expect((await h.http.post(receiverPath).set('Content-Type', 'text/plain').set('x-esrihook-signature', sign(bigText)).send(bigText)).status).toBe(413);
      expect(await runCount()).toBe(before);
    });

    describe('replay-safe', () => {
      const std = (body: string, id = `msg_${randomUUID()}`, at = new Date(clock.nowMs())) => ({
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        // The reference library signs as a Standard Webhooks sender would, with this (non-whsec_) secret as raw bytes.
        'webhook-signature': new Webhook(secret, { format: 'raw' }).sign(id, at, body),
      });
      const post = (body: string, headers: Record<string, string>) => h.http.post(receiverPath).set('Content-Type', 'application/json').set(headers).send(body);

      it('Standard Webhooks: accepted once; the same request again is a 409 and starts nothing; a fresh one is accepted', async () => {
        const body = JSON.stringify({ msg: 'standard' });
        const headers = std(body);
        const first = await post(body, headers);
        expect(first.status).toBe(202);
        const before = await runCount();
        const again = await post(body, headers);
        expect(again.status).toBe(409);
        expect(again.body.error.messageCode).toBe('ALREADY_RECEIVED');
        expect(await runCount()).toBe(before);
        // Another delivery id, freshly signed: accepted.
        expect((await post(body, std(body))).status).toBe(202);
        expect(await runCount()).toBe(before + 1);
      });

      it('a timestamp outside the tolerance (5 minutes) is refused, correctly signed or not', async () => {
        const before = await runCount();
        const body = JSON.stringify({ msg: 'old' });
        const old = await post(body, std(body, `msg_${randomUUID()}`, new Date(clock.nowMs() - 6 * 60_000)));
        expect(old.status).toBe(401);
        expect(old.body.error.messageCode).toBe('STALE_TIMESTAMP');
        expect((await post(body, std(body, `msg_${randomUUID()}`, new Date(clock.nowMs() + 6 * 60_000)))).status).toBe(401);
        expect(await runCount()).toBe(before);
      });

      it('other header families: X-GitHub-Delivery or X-Request-Id name the delivery; without an id, the signature does', async () => {
        const body = JSON.stringify({ msg: 'github' });
        const gh = { 'X-Hub-Signature-256': `sha256=${sign(body)}`, 'X-GitHub-Delivery': randomUUID() };
        expect((await post(body, gh)).status).toBe(202);
        expect((await post(body, gh)).status).toBe(409);
        const other = JSON.stringify({ msg: 'github, same delivery id, other body' });
        expect((await post(other, { 'X-Hub-Signature-256': `sha256=${sign(other)}`, 'X-GitHub-Delivery': gh['X-GitHub-Delivery'] })).status).toBe(409);
        const rid = { 'x-esrihook-signature': sign(body), 'X-Request-Id': randomUUID() };
        expect((await post(body, rid)).status).toBe(202);
        expect((await post(body, rid)).status).toBe(409);
        const bare = JSON.stringify({ msg: 'no id at all' });
        expect((await post(bare, { 'x-esrihook-signature': sign(bare) })).status).toBe(202);
        expect((await post(bare, { 'x-esrihook-signature': sign(bare) })).status).toBe(409);
      });
    });

    it('admin API: list and get mask the secret; disabled receivers run nothing; delete; administrators only', async () => {
      const list = (await h.http.get('/arcgis/admin/notebooks/webhookReceivers').set(auth())).body;
      expect(list.webhookReceivers.map((r: { id: string }) => r.id)).toContain(receiverId);
      const got = (await h.http.get(`/arcgis/admin/notebooks/webhookReceivers/${receiverId}`).set(auth())).body;
      expect(got.secret).toBe('********');

      const before = await runCount();
      expect((await h.http.post(`/arcgis/admin/notebooks/webhookReceivers/${receiverId}/update`).set(auth()).type('form').send({ disabled: 'true' })).body.webhookReceiver.disabled).toBe(true);
      const body = '{"msg":"while disabled"}';
      expect((await h.http.post(receiverPath).set('Content-Type', 'application/json').set('x-esrihook-signature', sign(body)).send(body)).status).toBe(403);
      expect(await runCount()).toBe(before);

      const user = await h.user('plainuser');
      expect((await h.http.get('/arcgis/admin/notebooks/webhookReceivers').set('Authorization', `Bearer ${user}`)).status).toBe(403);
      expect((await h.http.post('/arcgis/admin/notebooks/webhookReceivers/create').set('Authorization', `Bearer ${user}`).type('form').send({ name: 'x', itemId: got.itemId })).status).toBe(403);
      const short = await h.http.post('/arcgis/admin/notebooks/webhookReceivers/create').set(auth()).type('form').send({ name: 'x', itemId: got.itemId, secret: 'short' });
      expect(short.status).toBe(400);
      expect(short.body.error.message).toMatch(/secret: must be at least 32 characters/);

      expect((await h.http.post(`/arcgis/admin/notebooks/webhookReceivers/${receiverId}/delete`).set(auth())).body).toEqual({ success: true });
      expect((await h.http.post(receiverPath).set('Content-Type', 'application/json').set('x-esrihook-signature', sign(body)).send(body)).status).toBe(404);
    });
  });
});
