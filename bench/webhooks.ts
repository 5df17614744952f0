/**
 * webhooks: events fanned out to 100 organization webhooks whose payload URL is one loopback HTTP receiver in
 * this process (answers 200 at once). Events are item updates through the API (`…/items/{id}/update`, a new title
 * each time), sent open-loop at BENCH_EVENTS_PER_SECOND (5) for BENCH_EVENT_SECONDS (20): 100 events → 10,000 deliveries.
 * Api and worker run as separate processes (the api records the event and fans out; the worker delivers).
 *
 *   npm run bench:webhooks
 *
 * Reported: deliveries/second at the receiver (first to last delivery), and event-to-delivery latency =
 * arrival at the receiver − the event's time in the payload (`events[0].when`, the domain event's commit time).
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { machine, oneCell, percentiles, Site, sleep, writeResult, runBenchmark } from './support';

const HOOKS = Number(process.env.BENCH_WEBHOOKS ?? 100);
const RATE = Number(process.env.BENCH_EVENTS_PER_SECOND ?? 5);
const SECONDS = Number(process.env.BENCH_EVENT_SECONDS ?? 20);

async function main() {
  const before = machine();
  const events = RATE * SECONDS;
  console.log(`webhooks: ${HOOKS} webhooks, ${events} events (${RATE}/s for ${SECONDS}s); machine ${JSON.stringify(before)}`);

  const arrivals: Array<{ at: number; when: number }> = [];
  const receiver = createServer((req: IncomingMessage, res: ServerResponse) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST') {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          arrivals.push({ at, when: body.events?.[0]?.when });
        } catch {
          /* not a delivery */
        }
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  const site = await Site.start({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: '127.0.0.1', WARM_POOL_SIZE: '0' } });
  try {
    const itemId = await site.addNotebook(oneCell());
    for (let i = 0; i < HOOKS; i++) {
      await site.form('/sharing/rest/portals/self/webhooks/createWebhook', {
        name: `bench ${i}`,
        url,
        secret: `bench-secret-${i}`,
        changes: 'manualChanges',
        events: JSON.stringify([`/items/${itemId}/update`]),
        f: 'json',
      });
    }
    arrivals.length = 0; // drop anything the creation may have caused
    // Open loop: one update every 1/RATE s whether or not the previous one was answered (the api fans out an
    // event before it answers the request that caused it, so a closed loop would measure that request instead).
    const t0 = Date.now();
    const sent: Array<Promise<unknown>> = [];
    const answered: number[] = [];
    for (let i = 0; i < events; i++) {
      const due = t0 + (i * 1000) / RATE;
      await sleep(Math.max(0, due - Date.now()));
      const at = Date.now();
      sent.push(
        site.form(`/sharing/rest/content/users/admin/items/${itemId}/update`, { title: `bench event ${i}`, f: 'json' }).then(() => answered.push(Date.now() - at)),
      );
    }
    await Promise.all(sent);
    const sentSeconds = (Date.now() - t0) / 1000;
    const expected = events * HOOKS;
    const until = Date.now() + 180_000;
    while (arrivals.length < expected && Date.now() < until) await sleep(200);
    const first = Math.min(...arrivals.map((a) => a.at));
    const last = Math.max(...arrivals.map((a) => a.at));
    const lat = percentiles(arrivals.filter((a) => Number.isFinite(a.when)).map((a) => a.at - a.when));
    const result = {
      webhooks: HOOKS,
      events,
      eventsPerSecondOffered: RATE,
      eventsPerSecondAnswered: Math.round((events / sentSeconds) * 10) / 10,
      updateRequestMs: percentiles(answered),
      deliveriesExpected: expected,
      deliveriesReceived: arrivals.length,
      deliveriesPerSecond: Math.round((arrivals.length / Math.max(0.001, (last - first) / 1000)) * 10) / 10,
      eventToDeliveryMs: lat,
      machine: { before, after: machine() },
    };
    console.log(`  ${arrivals.length}/${expected} deliveries; ${result.deliveriesPerSecond} deliveries/s`);
    console.log(`  event → delivery p50 ${lat.p50} ms  p99 ${lat.p99} ms  max ${lat.max} ms`);
    console.log(`  → ${writeResult('webhooks', result)}`);
  } finally {
    await site.stop();
    receiver.close();
  }
}

runBenchmark(main);
