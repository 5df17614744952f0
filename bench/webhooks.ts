/**
 * webhooks: item updates through the API (`…/items/{id}/update`, a new title each time) fanned out to organization
 * webhooks whose payload URL is one loopback HTTP receiver in this process (answers 200 at once). Two cases, each
 * with its own item, webhooks and receiver path:
 *   - steady: BENCH_WEBHOOKS (100) webhooks, BENCH_EVENTS_PER_SECOND (5) updates/s for BENCH_EVENT_SECONDS (20)
 *     → 100 events → 10,000 deliveries;
 *   - burst: BENCH_BURST_WEBHOOKS (3) webhooks, BENCH_BURST_EVENTS (200) updates sent within one second.
 * Updates are sent open loop (each at its time whether or not the previous one was answered). Api and worker run
 * as separate processes (the api records each event and queues it for fan-out; the worker fans out and delivers).
 *
 *   npm run bench:webhooks            (BENCH_CASES=steady,burst)
 *
 * Reported per case: deliveries/second at the receiver (first to last), event-to-delivery latency = arrival at the
 * receiver − the event's time in the payload (`events[0].when`, the domain event's time), and duplicates (the same
 * `webhook-id` received twice); and where the time goes: event → its delivery rows, rows → arrival, the attempt as
 * recorded.
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { machine, oneCell, percentiles, Site, sleep, writeResult, runBenchmark } from './support';

const CASES = (process.env.BENCH_CASES ?? 'steady,burst').split(',');

interface Case {
  name: string;
  webhooks: number;
  events: number;
  /** Time over which the events are sent. */
  seconds: number;
}

const CASE_SETTINGS: Record<string, Case> = {
  steady: {
    name: 'steady',
    webhooks: Number(process.env.BENCH_WEBHOOKS ?? 100),
    events: Number(process.env.BENCH_EVENTS_PER_SECOND ?? 5) * Number(process.env.BENCH_EVENT_SECONDS ?? 20),
    seconds: Number(process.env.BENCH_EVENT_SECONDS ?? 20),
  },
  burst: { name: 'burst', webhooks: Number(process.env.BENCH_BURST_WEBHOOKS ?? 3), events: Number(process.env.BENCH_BURST_EVENTS ?? 200), seconds: 1 },
};

interface Arrival {
  at: number;
  when: number;
  id: string;
}

async function main() {
  const before = machine();
  console.log(`webhooks: cases ${CASES.join(', ')}; machine ${JSON.stringify(before)}`);

  const arrivals = new Map<string, Arrival[]>();
  const receiver = createServer((req: IncomingMessage, res: ServerResponse) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST') {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          const list = arrivals.get(req.url ?? '') ?? [];
          list.push({ at, when: body.events?.[0]?.when, id: String(req.headers['webhook-id']) });
          arrivals.set(req.url ?? '', list);
        } catch {
          /* not a delivery */
        }
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const url = (path: string) => `http://127.0.0.1:${(receiver.address() as AddressInfo).port}${path}`;

  const site = await Site.start({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: '127.0.0.1', WARM_POOL_SIZE: '0' } });
  const results: Record<string, object> = {};
  try {
    for (const name of CASES) {
      const c = CASE_SETTINGS[name];
      if (!c) throw new Error(`unknown case ${name} (steady, burst)`);
      const path = `/${c.name}`;
      const itemId = await site.addNotebook(oneCell());
      for (let i = 0; i < c.webhooks; i++) {
        await site.form('/sharing/rest/portals/self/webhooks/createWebhook', {
          name: `bench ${c.name} ${i}`,
          url: url(path),
          secret: `bench-secret-${i}`,
          changes: 'manualChanges',
          events: JSON.stringify([`/items/${itemId}/update`]),
          f: 'json',
        });
      }
      arrivals.set(path, []);
      const t0 = Date.now();
      const sent: Array<Promise<unknown>> = [];
      const answered: number[] = [];
      for (let i = 0; i < c.events; i++) {
        await sleep(Math.max(0, t0 + (i * c.seconds * 1000) / c.events - Date.now()));
        const at = Date.now();
        sent.push(site.form(`/sharing/rest/content/users/admin/items/${itemId}/update`, { title: `bench ${c.name} ${i}`, f: 'json' }).then(() => answered.push(Date.now() - at)));
      }
      await Promise.all(sent);
      const sentSeconds = (Date.now() - t0) / 1000;
      const expected = c.events * c.webhooks;
      const got = () => arrivals.get(path)!;
      const until = Date.now() + 180_000;
      while (got().length < expected && Date.now() < until) await sleep(100);
      await sleep(1000); // duplicates, if any, arrive meanwhile
      const list = got();
      const first = Math.min(...list.map((a) => a.at));
      const last = Math.max(...list.map((a) => a.at));
      const lat = percentiles(list.filter((a) => Number.isFinite(a.when)).map((a) => a.at - a.when));
      // Where the time goes: event → its delivery rows (the fan-out queue and the fan-out), rows → arrival at the
      // receiver (the worker's sends), the attempt as recorded (counted → outcome written).
      const arrivedAt = new Map(list.map((a) => [a.id, a.at]));
      const rows: Array<{ id: string; created: number; fanout: number; attempt: number }> = (
        await site.pg.query(
          `SELECT d.id, extract(epoch FROM d.created_at) * 1000 AS created, extract(epoch FROM d.created_at - e.occurred_at) * 1000 AS fanout,
                  extract(epoch FROM d.finished_at - d.invoked_at) * 1000 AS attempt
             FROM webhook_deliveries d JOIN domain_events e ON e.id = d.event_id JOIN webhooks w ON w.id = d.webhook_id
            WHERE w.name LIKE $1`,
          [`bench ${c.name} %`],
        )
      ).rows;
      const result = {
        fanoutMs: percentiles(rows.map((r) => Number(r.fanout))),
        rowToArrivalMs: percentiles(rows.filter((r) => arrivedAt.has(r.id)).map((r) => arrivedAt.get(r.id)! - Number(r.created))),
        attemptMs: percentiles(rows.map((r) => Number(r.attempt))),
        webhooks: c.webhooks,
        events: c.events,
        sendSeconds: c.seconds,
        eventsPerSecondAnswered: Math.round((c.events / sentSeconds) * 10) / 10,
        updateRequestMs: percentiles(answered),
        deliveriesExpected: expected,
        deliveriesReceived: list.length,
        duplicates: list.length - new Set(list.map((a) => a.id)).size,
        deliveriesPerSecond: Math.round((list.length / Math.max(0.001, (last - first) / 1000)) * 10) / 10,
        eventToDeliveryMs: lat,
      };
      results[c.name] = result;
      console.log(`  ${c.name}: ${list.length}/${expected} deliveries (${result.duplicates} duplicates); ${result.deliveriesPerSecond} deliveries/s`);
      console.log(`  ${c.name}: event → delivery p50 ${lat.p50} ms  p99 ${lat.p99} ms  max ${lat.max} ms`);
      console.log(`  ${c.name}: event → rows ${JSON.stringify(result.fanoutMs)}; rows → arrival ${JSON.stringify(result.rowToArrivalMs)}; attempt (counted → recorded) ${JSON.stringify(result.attemptMs)}`);
    }
    console.log(`  → ${writeResult('webhooks', { ...results, machine: { before, after: machine() } })}`);
  } finally {
    await site.stop();
    receiver.close();
  }
}

runBenchmark(main);
