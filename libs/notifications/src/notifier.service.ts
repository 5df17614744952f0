import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Clock } from '@app/clock';
import { NotificationEvent, NotificationSent, RunEntity, TaskEntity } from '@app/db';
import { UrlNotifications } from '@app/webhooks';
import { Mailer, NoSmtpServer } from './mailer';
import { withDeliveryOutcomes } from './delivery-outcome';
import { eventsOf, recipientsOf, shownUrl } from './notification-events';
import { emailOf, jsonOf, OutcomeContext } from './notification-message';
import { ClaimedOutcome, NotificationsRepository } from './notifications.repository';

/** How often the outbox is read; a notification leaves at most about this long after the outcome is recorded. */
const POLL_MS = 1_000;
const BATCH = 20;

/**
 * Tells people of task outcomes. Every finished task run (recorded by a worker, by housekeeping, or a fire that
 * could not be submitted) waits in the `task_runs` outbox (`notified_at` null) and is taken here once, in a loop of
 * its own: sending never delays or fails a run, and a broken mail server shows in the log and in the task's
 * `lastNotification`, nowhere else.
 */
@Injectable()
export class Notifier implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Notifier');
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;
  /** Where the next look at queued URL notices starts: long retry plans must not hold back the others. */
  private queuedAfter = '';

  constructor(
    private readonly repo: NotificationsRepository,
    private readonly mailer: Mailer,
    private readonly urls: UrlNotifications,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.loop();
  }

  private loop(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass()
        .catch((e) => this.log.warn(`notification pass failed: ${(e as Error).message}`))
        .finally(() => this.loop());
    }, POLL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Handles the outcomes waiting now; returns how many. */
  async pass(): Promise<number> {
    let n = 0;
    for (let batch = await this.repo.claim(BATCH); batch.length && !this.stopped; batch = await this.repo.claim(BATCH)) {
      for (const o of batch) await this.handle(o).catch((e) => this.log.warn(`task run ${o.id}: not notified: ${(e as Error).message}`));
      n += batch.length;
    }
    for (let batch = await this.repo.claimRuns(BATCH); batch.length && !this.stopped; batch = await this.repo.claimRuns(BATCH)) {
      for (const run of batch) await this.handleRun(run).catch((e) => this.log.warn(`run ${run.id}: not notified: ${(e as Error).message}`));
      n += batch.length;
    }
    return n + (await this.recordDeliveryOutcomes());
  }

  /** A task's last notification shows each URL as `queued` until its delivery (another job, maybe another node) ends. */
  private async recordDeliveryOutcomes(): Promise<number> {
    let n = 0;
    const tasks = await this.repo.withQueuedUrls(this.queuedAfter, BATCH);
    this.queuedAfter = tasks.length === BATCH ? tasks[BATCH - 1].id : '';
    for (const t of tasks) {
      const ids = t.lastNotification.sent.flatMap((s) => (s.status === 'queued' && s.deliveryId ? [s.deliveryId] : []));
      const updated = withDeliveryOutcomes(t.lastNotification, await this.repo.deliveries(ids));
      if (updated && (await this.repo.replaceLastNotification(t.id, t.lastNotification, updated))) n++;
    }
    return n;
  }

  private async handle(o: ClaimedOutcome): Promise<void> {
    const task = await this.repo.findTask(o.taskId);
    if (!task) return;
    const events = eventsOf(await this.repo.facts(o, task));
    if (!events.length) return;
    const [owner, run] = await Promise.all([this.repo.findUser(task.ownerId), this.repo.findRun(o.runId)]);
    const sent: NotificationSent[] = [];
    for (const event of events) {
      const to = recipientsOf(event, task.notifications, owner?.email || null, this.config.notifications.ownerOn);
      if (!to.emails.length && !to.urls.length) continue;
      const ctx = this.context(event, task, owner?.username ?? '', o, run);
      if (to.emails.length) sent.push(...(await this.email(to.emails, ctx, `task ${task.id}`)));
      for (const url of to.urls) sent.push(await this.post(url, ctx, `task ${task.id}`));
    }
    if (sent.length) {
      await this.repo.setLastNotification(task.id, { at: this.clock.nowMs(), events, taskRunId: o.id, jobId: o.runId, sent });
    }
  }

  /** An executeNotebook run that named notifications: its success or failure, to the targets it named (no defaults). */
  private async handleRun(run: RunEntity): Promise<void> {
    const event: NotificationEvent = run.status === 'COMPLETED' ? 'success' : 'failure';
    const to = recipientsOf(event, run.notifications ?? null, null, []);
    if (!to.emails.length && !to.urls.length) return;
    const item = await this.repo.findItem(run.itemId);
    const ctx = this.context(event, null, run.username, null, run, item?.title ?? run.itemId);
    const where = `job ${run.id}`;
    const sent = [...(to.emails.length ? await this.email(to.emails, ctx, where) : [])];
    for (const url of to.urls) sent.push(await this.post(url, ctx, where));
    const failed = sent.filter((s) => s.status === 'failed').length;
    this.log.log({ msg: `job ${run.id}: ${event} notification sent to ${sent.length - failed} of ${sent.length} target(s)`, runId: run.id, event });
  }

  private async email(to: string[], ctx: OutcomeContext, where: string): Promise<NotificationSent[]> {
    const m = emailOf(ctx);
    try {
      await this.mailer.send({ to, ...m });
      return to.map((t) => ({ via: 'email', to: t, status: 'sent' }));
    } catch (e) {
      const why = e instanceof NoSmtpServer ? e.message : `SMTP: ${(e as Error).message}`;
      if (!(e instanceof NoSmtpServer)) this.log.warn(`${where}: ${ctx.event} e-mail to ${to.length} recipient(s) failed: ${why}`);
      return to.map((t) => ({ via: 'email', to: t, status: e instanceof NoSmtpServer ? 'skipped' : 'failed', detail: why }));
    }
  }

  private async post(url: string, ctx: OutcomeContext, where: string): Promise<NotificationSent> {
    try {
      const deliveryId = await this.urls.post(url, jsonOf(ctx));
      return { via: 'url', to: shownUrl(url), status: 'queued', deliveryId };
    } catch (e) {
      this.log.warn(`${where}: ${ctx.event} notification to ${shownUrl(url)} not queued: ${(e as Error).message}`);
      return { via: 'url', to: shownUrl(url), status: 'failed', detail: (e as Error).message };
    }
  }

  /** `task` null: an executeNotebook run, described by its notebook (`notebookTitle`). */
  private context(event: NotificationEvent, task: TaskEntity | null, owner: string, o: ClaimedOutcome | null, run: RunEntity | null, notebookTitle = ''): OutcomeContext {
    const publicUrl = this.config.http.publicUrl;
    const jobUrl = run ? `${publicUrl}/arcgis/admin/system/jobs/${run.id}` : null;
    const link =
      run && jobUrl && (run.hasArtifacts || !this.config.notifications.link.includes('/snapshot'))
        ? this.config.notifications.link.replace(/\{jobUrl\}/g, jobUrl).replace(/\{jobId\}/g, run.id).replace(/\{taskId\}/g, task?.id ?? '').replace(/\{publicUrl\}/g, publicUrl)
        : null;
    return {
      event,
      task: task
        ? { kind: 'Task', id: task.id, title: task.title, owner, state: task.taskState, disabledReason: task.disabledReason }
        : { kind: 'Notebook', id: run!.itemId, title: notebookTitle, owner, state: 'n/a', disabledReason: null },
      taskRun: o
        ? { id: o.id, status: o.status, result: o.result, attempt: o.attempt, trigger: o.trigger, scheduledTime: o.scheduledFor.getTime() }
        : { id: run!.id, status: event === 'success' ? 'succeeded' : 'failed', result: runResult(run!), attempt: 1, trigger: run!.trigger, scheduledTime: run!.submittedAt.getTime() },
      job:
        run && jobUrl
          ? { id: run.id, url: jobUrl, startTime: run.startedAt?.getTime() ?? null, endTime: run.finishedAt?.getTime() ?? null, error: run.error }
          : null,
      link,
    };
  }
}

/** What an executeNotebook run's notification says happened. */
function runResult(run: RunEntity): string {
  if (run.status === 'COMPLETED') return 'Notebook executed successfully.';
  if (run.cancelled) return 'The run was cancelled.';
  if (run.error) return `Error in cell ${run.error.cellIndex}: ${run.error.ename}: ${run.error.evalue}`;
  return run.messages[run.messages.length - 1] ?? 'The run failed.';
}
