import { INestApplicationContext } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { ApiHarness } from './support/api-harness';
import { nb } from './support/notebooks';
import { TasksApi } from './support/tasks-api';
import { eventually, startWorker } from './support/worker-harness';

const code = (source: string) => ({ cell_type: 'code', source, metadata: {}, outputs: [], execution_count: null });
const outputOf = (notebook: { cells: Array<{ outputs?: Array<{ text?: string | string[] }> }> }) =>
  notebook.cells.flatMap((c) => c.outputs ?? []).map((o) => [o.text ?? ''].flat().join('')).join('');

jest.setTimeout(180_000);

/**
 * The portal from inside a run: the runner relays HTTP from the container's loopback over its channel, the worker
 * forwards it to the api with the run's token. A real api listening on a port, a real worker, real containers.
 */
describe('the portal from a run (relay over the runner channel; Postgres, Redis, BullMQ, Docker)', () => {
  let h: ApiHarness;
  let worker: INestApplicationContext;
  let admin: string;
  let rita: string;
  let apiPort: number;
  const auth = (t = admin) => ({ Authorization: `Bearer ${t}` });

  /** Calls the portal three ways, then tries addresses that must stay unreachable. */
  const portalNotebook = () => ({
    ...nb(
      code(
        [
          'from nbautomation import portal',
          'import json, os, requests',
          'me = portal.get("/sharing/rest/community/self")',
          'print("ME=" + me["username"])',
          'print("TOKEN=" + portal.token)',
          'r = requests.get(os.environ["NBA_PORTAL_URL"] + "/community/self", params={"f": "json", "token": os.environ["NBA_TOKEN"]})',
          'print("REQUESTS=" + r.json()["username"])',
          'empty = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}',
          'item = portal.post(f"/sharing/rest/content/users/{me[\'username\']}/addItem", type="Notebook", title="from a run", text=empty)',
          'print("ADDED=" + str(item["success"]))',
        ].join('\n'),
      ),
      code(
        [
          'import socket',
          `for host, port in [("127.0.0.1", ${'{API_PORT}'}), ("10.255.255.1", 80), ("192.168.0.1", 443)]:`,
          '    try:',
          '        socket.create_connection((host, port), timeout=3).close()',
          '        print("OPEN", host, port)',
          '    except OSError as e:',
          '        print("CLOSED", host, port, type(e).__name__)',
          'try:',
          '    portal.get("/health")',
          '    print("HEALTH=open")',
          'except portal.PortalError as e:',
          '    print("HEALTH=" + str(e.status))',
        ].join('\n'),
      ),
    ),
    metadata: { runtime: 'standard' },
  });

  beforeAll(async () => {
    h = await ApiHarness.start({ HEARTBEAT_SECONDS: '1', WARM_POOL_SIZE: '0' });
    await h.app.listen(0, '127.0.0.1');
    apiPort = (h.app.getHttpServer().address() as AddressInfo).port;
    // The worker forwards relayed requests to this api.
    worker = await startWorker({ ...h.config, execution: { ...h.config.execution, portalUrl: `http://127.0.0.1:${apiPort}` } });
    admin = await h.token();
    rita = await h.user('rita');
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
  const outputOfJob = async (id: string) => outputOf((await h.http.get(`/arcgis/admin/system/jobs/${id}/notebook`).set(auth())).body);

  /** What a finished run's notebook printed: the user it acted as, reachability, and its token refused afterwards. */
  async function checkRun(jobId: string, username: string) {
    const j = await finished(jobId);
    expect(j.messages).toContain('Notebook executed successfully.');
    const out = await outputOfJob(jobId);
    expect(out).toContain(`ME=${username}`);
    expect(out).toContain(`REQUESTS=${username}`);
    expect(out).toContain('ADDED=True');
    expect(out).toMatch(new RegExp(`CLOSED 127\\.0\\.0\\.1 ${apiPort} ConnectionRefusedError`));
    expect(out).toMatch(/CLOSED 10\.255\.255\.1 80 OSError/);
    expect(out).toMatch(/CLOSED 192\.168\.0\.1 443 OSError/);
    expect(out).not.toContain('OPEN');
    expect(out).toContain('HEALTH=403');
    const token = /TOKEN=(\S+)/.exec(out)![1];
    const after = await h.http.get('/sharing/rest/community/self').set(auth(token));
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe(498);
  }

  const notebookFor = async (token: string, owner: string) =>
    h.addNotebook(token, owner, JSON.parse(JSON.stringify(portalNotebook()).replace('{API_PORT}', String(apiPort))));

  it('executeNotebook: the notebook calls the portal as its caller, reaches nothing else, and its token dies with the run', async () => {
    const itemId = await notebookFor(rita, 'rita');
    const res = await h.http.post('/arcgis/admin/notebooks/executeNotebook').set(auth(rita)).type('form').send({ itemId, updatePortalItem: 'false', f: 'json' });
    expect(res.status).toBe(200);
    await checkRun(res.body.jobId, 'rita');
    // The item the notebook added exists, owned by rita.
    const mine = (await h.http.get('/sharing/rest/content/users/rita').set(auth(rita))).body;
    expect(mine.items.map((i: { title: string }) => i.title)).toContain('from a run');
  });

  it('a scheduled task run acts as the task owner', async () => {
    const itemId = await notebookFor(rita, 'rita');
    const tasks = new TasksApi(h, rita, 'rita');
    const taskId = await tasks.createOk(itemId, { maxOccurrences: 1, parameters: { updatePortalItem: false } });
    const run = await eventually(async () => (await tasks.runs(taskId)).find((r) => r.jobId), 60_000);
    await checkRun(run.jobId!, 'rita');
  });

  it('a notebook webhook with tokenTypeToSend=user acts as the user who caused the event', async () => {
    const hook = await notebookFor(admin, 'admin');
    const alice = await h.user('alice', 'org_admin');
    const target = await h.addNotebook(alice, 'alice', nb(code('print(1)')), 'alice target');
    const created = await h.http
      .post('/sharing/rest/portals/self/webhooks/createWebhook')
      .set(auth())
      .type('form')
      .send({
        name: 'as the user',
        changes: 'manualChanges',
        events: `/items/${target}/update`,
        config: JSON.stringify({ deactivationPolicy: { numberOfFailures: 5, daysInPast: 5 }, properties: { federatedServer: { itemId: hook, tokenTypeToSend: 'user' } } }),
      });
    expect(created.status).toBe(200);
    const id = created.body.webhook.id;
    expect((await h.http.post(`/sharing/rest/content/users/alice/items/${target}/update`).set(auth(alice)).type('form').send({ title: 'by alice' })).status).toBe(200);
    const rec = await eventually(async () => {
      const s = (await h.http.get(`/sharing/rest/portals/self/webhooks/${id}/notificationStatus`).set(auth())).body;
      return s.WebhookStatus[0]?.jobId ? s.WebhookStatus[0] : null;
    }, 60_000);
    await checkRun(rec.jobId, 'alice');
  });

  it('the minimal runtime has the portal module too (standard library only)', async () => {
    const itemId = await h.addNotebook(rita, 'rita', {
      ...nb(code('from nbautomation import portal\nprint("ME=" + portal.get("/sharing/rest/community/self")["username"])\nprint("URL=" + portal.url)')),
      metadata: { runtime: 'default' },
    });
    const res = await h.http.post('/arcgis/admin/notebooks/executeNotebook').set(auth(rita)).type('form').send({ itemId, updatePortalItem: 'false', f: 'json' });
    const j = await finished(res.body.jobId);
    expect(j.messages).toContain('Notebook executed successfully.');
    const out = await outputOfJob(res.body.jobId);
    expect(out).toContain('ME=rita');
    expect(out).toMatch(/URL=http:\/\/127\.0\.0\.1:\d+\/sharing\/rest/);
  });
});
