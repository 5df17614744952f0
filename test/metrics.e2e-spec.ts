import { INestApplicationContext } from '@nestjs/common';
import request from 'supertest';
import { WorkerMetricsServer } from '../apps/worker/src/metrics-server';
import { ApiHarness } from './support/api-harness';
import { printing } from './support/notebooks';
import { parseScrape, total } from './support/prometheus-text';
import { TasksApi } from './support/tasks-api';
import { eventually, startWorker } from './support/worker-harness';

jest.setTimeout(300_000);

const METRICS_TOKEN = 'metrics-test-token-0123456789';

/** /metrics of the api and the worker's listener: the text parses, and counters move as runs happen. */
describe('metrics (Postgres, Redis, BullMQ, Docker)', () => {
  let h: ApiHarness;
  let worker: INestApplicationContext;
  let admin: string;

  beforeAll(async () => {
    h = await ApiHarness.start({ HEARTBEAT_SECONDS: '1', METRICS_TOKEN });
    worker = await startWorker(h.config);
    admin = await h.token();
  });

  afterAll(async () => {
    await h?.ds.query(`UPDATE tasks SET active = false`).catch(() => undefined);
    await worker?.close();
    await h?.stop();
  });

  const apiScrape = async () => {
    const res = await h.http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
    return parseScrape(res.text);
  };
  const workerScrape = async () => {
    const port = worker.get(WorkerMetricsServer).port!;
    const res = await request(`http://127.0.0.1:${port}`).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);
    expect(res.status).toBe(200);
    return parseScrape(res.text);
  };

  it('the api needs the metrics token or an administrator; the worker listener the metrics token', async () => {
    expect((await h.http.get('/metrics')).status).toBe(401);
    expect((await h.http.get('/metrics').set('Authorization', 'Bearer wrong')).status).toBe(401);
    const user = await h.user('mona', 'org_user');
    expect((await h.http.get('/metrics').set('Authorization', `Bearer ${user}`)).status).toBe(403);
    expect((await h.http.get('/metrics').set('Authorization', `Bearer ${admin}`)).status).toBe(200);
    const port = worker.get(WorkerMetricsServer).port!;
    expect((await request(`http://127.0.0.1:${port}`).get('/metrics')).status).toBe(401);
    expect((await request(`http://127.0.0.1:${port}`).get('/other').set('Authorization', `Bearer ${METRICS_TOKEN}`)).status).toBe(404);
  });

  it('counters move as runs, fires and requests happen; every documented metric is exposed', async () => {
    const before = await workerScrape();
    const itemId = await h.addNotebook(admin, 'admin', printing('print("metrics")'));
    const res = await h.http
      .post('/arcgis/admin/notebooks/executeNotebook')
      .set('Authorization', `Bearer ${admin}`)
      .type('form')
      .send({ itemId, updatePortalItem: 'false' });
    expect(res.status).toBe(200);
    await eventually(async () => (await h.http.get(`/arcgis/admin/system/jobs/${res.body.jobId}`).set('Authorization', `Bearer ${admin}`)).body.status === 'COMPLETED', 120_000);
    // A task fire, counted by whichever process fired it.
    const tasks = new TasksApi(h, admin, 'admin');
    const taskId = await tasks.createOk(itemId, { parameters: { updatePortalItem: false } });
    await eventually(async () => (await tasks.runs(taskId)).some((r) => r.status === 'succeeded'), 120_000);
    await tasks.post(taskId, 'disable');

    const [api, w] = [await apiScrape(), await workerScrape()];
    const both = (name: string, labels?: Record<string, string>) => total(api, name, labels) + total(w, name, labels);
    expect(total(w, 'nba_runs_started_total', { trigger: 'executeNotebook' }) - total(before, 'nba_runs_started_total', { trigger: 'executeNotebook' })).toBe(1);
    expect(total(w, 'nba_runs_finished_total', { trigger: 'executeNotebook', status: 'completed' })).toBe(1);
    expect(total(w, 'nba_run_duration_seconds_count', { trigger: 'executeNotebook', status: 'completed' })).toBe(1);
    expect(total(w, 'nba_run_queue_wait_seconds_count', { trigger: 'executeNotebook' })).toBe(1);
    expect(total(w, 'nba_runs_finished_total', { trigger: 'task', status: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(both('nba_task_fires_total', { outcome: 'started' })).toBeGreaterThanOrEqual(1);
    expect(both('nba_task_fire_lateness_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(total(w, 'nba_run_cap', { node: h.config.nodeName })).toBe(10);
    expect(w.samples.find((x) => x.name === 'nba_runs_in_progress')?.labels).toEqual({ node: h.config.nodeName });
    expect(w.families.get('nba_warm_containers_ready')).toBe('GAUGE');
    expect(w.families.get('nba_run_duration_seconds')).toBe('HISTOGRAM');
    expect(total(api, 'nba_http_requests_total', { method: 'POST', route: '/arcgis/admin/notebooks/executeNotebook', status: '200' })).toBe(1);
    expect(total(api, 'nba_http_requests_total', { method: 'GET', route: '/arcgis/admin/system/jobs/:jobId', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(total(api, 'nba_http_request_duration_seconds_count', { method: 'POST', route: '/arcgis/admin/notebooks/executeNotebook' })).toBe(1);
    expect(api.samples.filter((x) => x.name === 'nba_queue_jobs').map((x) => `${x.labels.queue}/${x.labels.state}`)).toEqual(
      expect.arrayContaining(['notebook-runs/waiting', 'notebook-runs/active', 'notebook-runs/delayed', 'notebook-runs/failed', 'webhook-deliveries/waiting']),
    );
    expect(total(api, 'nba_db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
    for (const name of ['nba_webhook_deliveries_total', 'nba_webhook_delivery_duration_seconds', 'process_cpu_seconds_total', 'nodejs_eventloop_lag_seconds']) {
      expect([name, api.families.has(name) || w.families.has(name)]).toEqual([name, true]);
    }
    // Unmatched paths never become series of their own.
    await h.http.get('/no/such/path/123').set('Authorization', `Bearer ${admin}`);
    expect(total(await apiScrape(), 'nba_http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
  });
});
