import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { INestApplicationContext } from '@nestjs/common';
import { ApiHarness } from './support/api-harness';
import { nb } from './support/notebooks';
import { startWorker } from './support/worker-harness';

jest.setTimeout(300_000);

// The runner image under test; CI builds nbautomation/runner:latest from this branch's runner/.
const IMAGE = process.env.NBA_TEST_RUNNER_IMAGE ?? 'nbautomation/runner:latest';

interface Sse {
  event: string;
  data: Record<string, unknown>;
}

/** Reads a server-sent events stream until the server closes it. */
function readEvents(port: number, path: string, token: string): Promise<{ status: number; events: Sse[]; contentType: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' } }, (res) => {
      let buf = '';
      const events: Sse[] = [];
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, events, contentType: String(res.headers['content-type']) }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

const code = (source: string) => ({ cell_type: 'code', source, metadata: {}, outputs: [], execution_count: null });

/** Live progress: the runner reports each cell over its channel; the job shows it; /events streams it (Docker, Redis). */
describe('live progress of a run', () => {
  let h: ApiHarness;
  let worker: INestApplicationContext;
  let admin: string;
  let port: number;

  beforeAll(async () => {
    // An image built before runner/nbrunner/progress.py existed reports no progress: say so rather than time out.
    const probe = spawnSync('docker', ['run', '--rm', '--network', 'none', '--entrypoint', 'test', IMAGE, '-f', '/opt/nbrunner/progress.py']);
    if (probe.status !== 0) throw new Error(`${IMAGE} has no nbrunner/progress.py: rebuild it (scripts/docker/build-runner-offline.sh --force)`);
    h = await ApiHarness.start({ HEARTBEAT_SECONDS: '1', RUNTIMES: `default=${IMAGE}` });
    await h.app.listen(0, '127.0.0.1');
    port = (h.app.getHttpServer().address() as AddressInfo).port;
    worker = await startWorker(h.config);
    admin = await h.token();
  });

  afterAll(async () => {
    await worker?.close();
    await h?.stop();
  });

  it('a 5-cell notebook with sleeps streams each cell in order, with its output, until the run ends', async () => {
    const cells = [0, 1, 2, 3, 4].map((k) => code(`import time\nprint("cell ${k} says hi")\ntime.sleep(0.6)`));
    const itemId = await h.addNotebook(admin, 'admin', nb({ cell_type: 'markdown', source: '# five cells', metadata: {} }, ...cells));
    const res = await h.http.post('/arcgis/admin/notebooks/executeNotebook').set('Authorization', `Bearer ${admin}`).type('form').send({ itemId, updatePortalItem: 'false' });
    expect(res.status).toBe(200);
    const jobId = res.body.jobId as string;
    const stream = await readEvents(port, `/arcgis/admin/system/jobs/${jobId}/events`, admin);
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);
    const { events } = stream;
    // Status changes: first what it was when the stream opened, the end last.
    expect(events.filter((e) => e.event === 'status').map((e) => e.data.status)).toEqual(expect.arrayContaining(['PROCESSING', 'COMPLETED']));
    expect(events[events.length - 1]).toMatchObject({ event: 'end', data: { jobId, status: 'COMPLETED' } });
    // Each code cell (notebook indexes 1..5) starts and ends, in order.
    const steps = events.filter((e) => e.event === 'progress').map((e) => `${e.data.phase} ${e.data.cell} (${e.data.codeCell}/${e.data.codeCells})`);
    expect(steps).toEqual([1, 2, 3, 4, 5].flatMap((i) => [`start ${i} (${i}/5)`, `end ${i} (${i}/5)`]));
    for (const k of [0, 1, 2, 3, 4]) {
      const end = events.find((e) => e.event === 'progress' && e.data.phase === 'end' && e.data.cell === k + 1)!;
      expect(end.data).toMatchObject({ total: 6, status: 'ok', lines: [`cell ${k} says hi`] });
    }
    // Output lines arrive while the cell still runs (before its end).
    const firstOutput = events.findIndex((e) => e.event === 'output' && (e.data.lines as string[]).includes('cell 0 says hi'));
    const firstEnd = events.findIndex((e) => e.event === 'progress' && e.data.phase === 'end');
    expect(firstOutput).toBeGreaterThan(-1);
    expect(firstOutput).toBeLessThan(firstEnd);

    // The job JSON carries the same progress: here the last cell's end.
    const job = (await h.http.get(`/arcgis/admin/system/jobs/${jobId}`).set('Authorization', `Bearer ${admin}`)).body;
    expect(job.progress).toMatchObject({ cell: 5, total: 6, phase: 'end', lines: ['cell 4 says hi'] });

    // A finished run's events: a short summary, then the stream closes.
    const replay = await readEvents(port, `/arcgis/admin/system/jobs/${jobId}/events`, admin);
    expect(replay.events.map((e) => e.event)).toEqual(['status', 'progress', 'end']);
    expect(replay.events[0].data.status).toBe('COMPLETED');
  });

  it('events of an unknown or invisible job are a 404 in the API error format', async () => {
    const r = await h.http.get(`/arcgis/admin/system/jobs/${'0'.repeat(32)}/events`).set('Authorization', `Bearer ${admin}`);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe(404);
    expect((await h.http.get(`/arcgis/admin/system/jobs/${'0'.repeat(32)}/events`)).status).toBe(401);
  });
});
