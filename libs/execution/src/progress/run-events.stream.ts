import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { RunEntity } from '@app/db';
import { FINISHED, RunsRepository } from '../runs.repository';
import { RunEvent, RunProgress } from './run-progress';

const HEARTBEAT_MS = 15_000;
/** A finish event missed (Redis hiccup) is caught by re-reading the run this often. */
const RECHECK_MS = 5_000;

/**
 * `GET …/jobs/{id}/events`: server-sent events of one run until it ends — `status` (status changes), `progress`
 * (a cell started or ended), `output` (the last stream lines of the cell running) — then `end` and close. A run
 * that has already finished gets a short summary (its status, its last progress, `end`) and the stream closes.
 */
@Injectable()
export class RunEventsStream {
  constructor(
    private readonly progress: RunProgress,
    private readonly runs: RunsRepository,
  ) {}

  async stream(run: RunEntity, req: Request, res: Response): Promise<void> {
    res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    let closed = false;
    const send = (event: string, data: unknown) => {
      if (!closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const queued: RunEvent[] = [];
    let live = false;
    const forward = (e: RunEvent) => {
      if (e.type === 'status') {
        send('status', { jobId: run.id, status: e.status, at: e.at });
        if (FINISHED.includes(e.status as never)) void finish();
      } else send(e.progress.phase === 'output' ? 'output' : 'progress', { jobId: run.id, ...e.progress });
    };
    // Subscribed before the run is read again, so that nothing between the two is lost.
    const unsubscribe = await this.progress.subscribe(run.id, (e) => (live ? forward(e) : queued.push(e)));
    const timers: NodeJS.Timeout[] = [];
    const finish = async () => {
      if (closed) return;
      const fresh = (await this.runs.findById(run.id)) ?? run;
      send('end', { jobId: run.id, status: fresh.status, endTime: fresh.finishedAt?.getTime() ?? null, message: fresh.messages[fresh.messages.length - 1] ?? null });
      close();
    };
    const close = () => {
      if (closed) return;
      closed = true;
      unsubscribe();
      timers.forEach(clearInterval);
      res.end();
    };
    req.on('close', close);

    const now = (await this.runs.findById(run.id)) ?? run;
    send('status', { jobId: run.id, status: now.status, at: Date.now() });
    const last = await this.progress.get(run.id);
    if (last) send(last.phase === 'output' ? 'output' : 'progress', { jobId: run.id, ...last });
    if (FINISHED.includes(now.status)) return finish();
    live = true;
    for (const e of queued.splice(0)) forward(e);
    timers.push(setInterval(() => !closed && res.write(': keep-alive\n\n'), HEARTBEAT_MS));
    timers.push(
      setInterval(() => {
        void this.runs.findById(run.id).then((r) => {
          if (r && FINISHED.includes(r.status)) void finish();
        });
      }, RECHECK_MS),
    );
  }
}
