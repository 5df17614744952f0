import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { ItemEntity, NotificationStatus, RunEntity, TaskEntity, UserEntity, WebhookDeliveryEntity } from '@app/db';
import type { DeliveryOutcome } from './delivery-outcome';
import type { OutcomeFacts } from './notification-events';

type Finished = OutcomeFacts['status'];

/** A finished task run taken from the outbox. */
export interface ClaimedOutcome {
  id: string;
  taskId: string;
  runId: string | null;
  status: Finished;
  result: string;
  attempt: number;
  trigger: string;
  scheduledFor: Date;
}

/** The notifier's queries: the outbox of finished task runs, and what it needs to know about each. */
@Injectable()
export class NotificationsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Takes up to `limit` finished task runs not notified yet; each is taken by one process once (at most once). */
  async claim(limit: number): Promise<ClaimedOutcome[]> {
    const [rows] = (await this.ds.query(
      `UPDATE task_runs SET notified_at = now() WHERE id IN (
         SELECT id FROM task_runs WHERE notified_at IS NULL AND status IN ('succeeded','failed','submitfailed')
          ORDER BY modified LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING id, task_id, run_id, status, result, attempt, trigger, scheduled_for`,
      [limit],
    )) as [Array<Record<string, unknown>>, number];
    return rows
      .map((r) => ({
        id: r.id as string,
        taskId: r.task_id as string,
        runId: (r.run_id as string | null) ?? null,
        status: r.status as Finished,
        result: r.result as string,
        attempt: r.attempt as number,
        trigger: r.trigger as string,
        scheduledFor: new Date(r.scheduled_for as string),
      }))
      .sort((a, b) => a.scheduledFor.getTime() - b.scheduledFor.getTime());
  }

  async facts(o: ClaimedOutcome, task: TaskEntity): Promise<OutcomeFacts> {
    const [[retried], [previous], [later]] = await Promise.all([
      this.ds.query(`SELECT 1 FROM task_runs WHERE retry_of = $1 LIMIT 1`, [o.id]),
      // The previous fire's last attempt: finished, older, and retried by nothing.
      this.ds.query(
        `SELECT p.status FROM task_runs p WHERE p.task_id = $1 AND p.id <> $2 AND p.scheduled_for < $3
            AND p.status IN ('succeeded','failed','submitfailed')
            AND NOT EXISTS (SELECT 1 FROM task_runs c WHERE c.retry_of = p.id)
          ORDER BY p.scheduled_for DESC LIMIT 1`,
        [o.taskId, o.id, o.scheduledFor],
      ),
      this.ds.query(
        `SELECT 1 FROM task_runs WHERE task_id = $1 AND scheduled_for > $2 AND status IN ('succeeded','failed','submitfailed') LIMIT 1`,
        [o.taskId, o.scheduledFor],
      ),
    ]);
    return {
      status: o.status,
      retried: !!retried,
      previous: (previous?.status as Finished | undefined) ?? null,
      disabledByThis: task.taskState === 'disabled' && o.status !== 'succeeded' && !later,
    };
  }

  /** Takes up to `limit` finished executeNotebook runs that name notifications and were not notified yet (once each). */
  async claimRuns(limit: number): Promise<RunEntity[]> {
    const [rows] = (await this.ds.query(
      `UPDATE runs SET notified_at = now() WHERE id IN (
         SELECT id FROM runs WHERE notified_at IS NULL AND notifications IS NOT NULL AND status IN ('COMPLETED','FAILED')
          ORDER BY finished_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING id`,
      [limit],
    )) as [Array<{ id: string }>, number];
    if (!rows.length) return [];
    return this.ds.manager.find(RunEntity, { where: rows.map((r) => ({ id: r.id })), order: { finishedAt: 'ASC' } });
  }

  findItem(id: string): Promise<ItemEntity | null> {
    return this.ds.manager.findOneBy(ItemEntity, { id });
  }

  findTask(id: string): Promise<TaskEntity | null> {
    return this.ds.manager.findOneBy(TaskEntity, { id });
  }

  findUser(id: string): Promise<UserEntity | null> {
    return this.ds.manager.findOneBy(UserEntity, { id });
  }

  findRun(id: string | null): Promise<RunEntity | null> {
    return id ? this.ds.manager.findOneBy(RunEntity, { id }) : Promise.resolve(null);
  }

  async setLastNotification(taskId: string, status: NotificationStatus): Promise<void> {
    await this.ds.manager.update(TaskEntity, { id: taskId }, { lastNotification: status as never });
  }

  /** Tasks after `afterId` whose last notification still shows a URL as `queued` (index `tasks_url_notice_queued`). */
  async withQueuedUrls(afterId: string, limit: number): Promise<Array<{ id: string; lastNotification: NotificationStatus }>> {
    const rows = (await this.ds.query(
      `SELECT id, last_notification FROM tasks WHERE last_notification @> '{"sent":[{"status":"queued"}]}' AND id > $1 ORDER BY id LIMIT $2`,
      [afterId, limit],
    )) as Array<{ id: string; last_notification: NotificationStatus }>;
    return rows.map((r) => ({ id: r.id, lastNotification: r.last_notification }));
  }

  deliveries(ids: string[]): Promise<DeliveryOutcome[]> {
    if (!ids.length) return Promise.resolve([]);
    return this.ds.manager.find(WebhookDeliveryEntity, { where: { id: In(ids) }, select: ['id', 'status', 'attempts', 'httpStatus', 'responseText'] });
  }

  /** Replaces the last notification only if it is still `from`: a newer notification wins. */
  async replaceLastNotification(taskId: string, from: NotificationStatus, to: NotificationStatus): Promise<boolean> {
    const [, n] = (await this.ds.query(`UPDATE tasks SET last_notification = $3::jsonb WHERE id = $1 AND last_notification = $2::jsonb`, [
      taskId,
      JSON.stringify(from),
      JSON.stringify(to),
    ])) as [unknown, number];
    return n > 0;
  }
}
