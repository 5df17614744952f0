import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { RunEntity, RunStatus, TaskEntity, TaskRunEntity, TaskRunStatus, TaskRunTrigger } from '@app/db';

/** A task run with the state of the run it started (if any). */
export interface TaskRunRow extends TaskRunEntity {
  runStatus: RunStatus | null;
  hasArtifacts: boolean;
  /** The run's kept output files (names and sizes). */
  outputFiles: Array<{ name: string; size: number }>;
}

/** The identity of a task run whose outcome was just recorded. */
export interface FinishedTaskRun {
  id: string;
  taskId: string;
  attempt: number;
  trigger: TaskRunTrigger;
}

export interface TaskFilter {
  /** Absent: every owner's tasks (the administrators' site-wide list). */
  ownerId?: string;
  itemId?: string;
  active?: boolean;
  types?: string[];
}

/** Named queries on tasks and task runs; nothing else builds task queries. */
@Injectable()
export class TasksRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private m(m?: EntityManager): EntityManager {
    return m ?? this.ds.manager;
  }

  transaction<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(fn);
  }

  findById(id: string, m?: EntityManager): Promise<TaskEntity | null> {
    return this.m(m).findOneBy(TaskEntity, { id });
  }

  /** Locks the task row for the rest of the transaction (limits, failure counts and fires change it). */
  lock(id: string, m: EntityManager): Promise<TaskEntity | null> {
    return m.createQueryBuilder(TaskEntity, 't').setLock('pessimistic_write').where('t.id = :id', { id }).getOne();
  }

  async insert(t: TaskEntity, m?: EntityManager): Promise<void> {
    await this.m(m).insert(TaskEntity, t as never);
  }

  async update(id: string, patch: Partial<TaskEntity>, m?: EntityManager): Promise<void> {
    await this.m(m).update(TaskEntity, { id }, patch as never);
  }

  async page(f: TaskFilter, start: number, num: number): Promise<{ total: number; rows: TaskEntity[] }> {
    const [rows, total] = await this.ds.manager.findAndCount(TaskEntity, {
      where: {
        ownerId: f.ownerId,
        ...(f.itemId ? { itemId: f.itemId } : {}),
        ...(f.active !== undefined ? { active: f.active } : {}),
        ...(f.types?.length ? { type: In(f.types) } : {}),
      },
      order: { created: 'ASC', id: 'ASC' },
      skip: start - 1,
      take: num,
    });
    return { total, rows };
  }

  /**
   * Serialises the checks of the active-task limits across the site for the rest of the transaction,
   * so two nodes cannot both let the 20th task through.
   */
  async lockLimits(m: EntityManager): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('nbautomation:task-limits'))`);
  }

  async countActive(ownerId?: string, m?: EntityManager): Promise<number> {
    return this.m(m).countBy(TaskEntity, { active: true, ...(ownerId ? { ownerId } : {}) });
  }

  /** Up to `limit` due tasks, locked; tasks another node is firing right now are skipped, not waited for. */
  async claimDue(now: Date, limit: number, m: EntityManager, except: string[] = []): Promise<TaskEntity[]> {
    const q = m
      .createQueryBuilder(TaskEntity, 't')
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .where('t.active AND t.next_fire_at <= :now', { now });
    if (except.length) q.andWhere('t.id NOT IN (:...except)', { except });
    return q.orderBy('t.next_fire_at', 'ASC').limit(limit).getMany();
  }

  /** The earliest next fire of any active task (but `except`), or null when none has one. */
  async earliestFire(except: string[] = []): Promise<Date | null> {
    const q = this.ds.manager.createQueryBuilder(TaskEntity, 't').select('min(t.next_fire_at)', 'at').where('t.active');
    if (except.length) q.andWhere('t.id NOT IN (:...except)', { except });
    const row = await q.getRawOne<{ at: Date | null }>();
    return row?.at ? new Date(row.at) : null;
  }

  /** For each of these tasks that has one, the run id of its open task run (previous run still queued or running). */
  async openRuns(taskIds: string[], m: EntityManager): Promise<Map<string, string | null>> {
    if (!taskIds.length) return new Map();
    const rows: Array<{ task_id: string; run_id: string | null }> = await m.query(
      `SELECT DISTINCT ON (task_id) task_id, run_id FROM task_runs
        WHERE task_id = ANY($1::char(32)[]) AND status IN ('scheduled','executing') ORDER BY task_id, scheduled_for DESC`,
      [taskIds],
    );
    return new Map(rows.map((r) => [r.task_id, r.run_id]));
  }

  /** Records fires in one statement; returns how many were new (the unique (task, time) constraint refuses repeats). */
  async insertTaskRuns(rs: TaskRunEntity[], m: EntityManager): Promise<number> {
    if (!rs.length) return 0;
    const res = await m.createQueryBuilder().insert().into(TaskRunEntity).values(rs).orIgnore().returning('id').execute();
    return res.raw.length;
  }

  /** Writes the scheduling state of fired tasks, one statement for all of them. */
  async saveFired(ts: TaskEntity[], m: EntityManager): Promise<void> {
    if (!ts.length) return;
    await m.query(
      `UPDATE tasks t SET next_fire_at = v.next_fire_at, occurrences = v.occurrences, last_start = v.last_start, active = v.active,
              task_state = v.task_state, consecutive_failures = v.consecutive_failures, disabled_reason = v.disabled_reason
         FROM unnest($1::char(32)[], $2::timestamptz[], $3::int[], $4::timestamptz[], $5::boolean[], $6::text[], $7::int[], $8::text[])
              AS v(id, next_fire_at, occurrences, last_start, active, task_state, consecutive_failures, disabled_reason)
        WHERE t.id = v.id`,
      [
        ts.map((t) => t.id),
        ts.map((t) => t.nextFireAt),
        ts.map((t) => t.occurrences),
        ts.map((t) => t.lastStart),
        ts.map((t) => t.active),
        ts.map((t) => t.taskState),
        ts.map((t) => t.consecutiveFailures),
        ts.map((t) => t.disabledReason),
      ],
    );
  }

  /** Marks the open task run of `runId` finished; returns it, or null if it was not open (already recorded). */
  async finishTaskRun(runId: string, status: TaskRunStatus, result: string, at: Date, m: EntityManager): Promise<FinishedTaskRun | null> {
    // TypeORM answers an UPDATE … RETURNING with [rows, affected].
    const [rows] = (await m.query(
      `UPDATE task_runs SET status = $2, result = $3, modified = $4 WHERE run_id = $1 AND status IN ('scheduled','executing')
        RETURNING id, task_id, attempt, trigger`,
      [runId, status, result, at],
    )) as [Array<{ id: string; task_id: string; attempt: number; trigger: TaskRunTrigger }>, number];
    const r = rows[0];
    return r ? { id: r.id, taskId: r.task_id, attempt: r.attempt, trigger: r.trigger } : null;
  }

  async setTaskRunResult(id: string, result: string, m: EntityManager): Promise<void> {
    await m.update(TaskRunEntity, { id }, { result });
  }

  /**
   * Records a fire started by hand, unless the task's previous run is still open; the task row is locked, so a
   * scheduled fire of the same task waits or is skipped. Returns the open run's job id when it refused.
   */
  async insertManualRun(taskId: string, tr: TaskRunEntity, run: RunEntity, m: EntityManager): Promise<{ refusedBy: string | null }> {
    const open = await this.openRuns([taskId], m);
    if (open.has(taskId)) return { refusedBy: open.get(taskId) ?? 'unknown' };
    await m.insert(RunEntity, run as never);
    await m.insert(TaskRunEntity, tr as never);
    return { refusedBy: null };
  }

  async runsOf(taskId: string, start: number, num: number): Promise<{ total: number; rows: TaskRunRow[] }> {
    const [{ n }] = await this.ds.query(`SELECT count(*)::int AS n FROM task_runs WHERE task_id = $1`, [taskId]);
    const rows = await this.ds.query(
      `SELECT tr.*, r.status AS run_status, coalesce(r.has_artifacts, false) AS has_artifacts, r.result->'outputFiles' AS output_files
         FROM task_runs tr LEFT JOIN runs r ON r.id = tr.run_id
        WHERE tr.task_id = $1 ORDER BY tr.scheduled_for DESC, tr.id LIMIT $2 OFFSET $3`,
      [taskId, num, start - 1],
    );
    return { total: n, rows: rows.map(toRow) };
  }

  async findTaskRun(taskId: string, id: string): Promise<TaskRunRow | null> {
    const rows = await this.ds.query(
      `SELECT tr.*, r.status AS run_status, coalesce(r.has_artifacts, false) AS has_artifacts, r.result->'outputFiles' AS output_files
         FROM task_runs tr LEFT JOIN runs r ON r.id = tr.run_id WHERE tr.task_id = $1 AND tr.id = $2`,
      [taskId, id],
    );
    return rows.length ? toRow(rows[0]) : null;
  }

  /** Runs (jobs) a task started that are still queued or running. */
  runsInProgress(taskId: string): Promise<RunEntity[]> {
    return this.ds.manager.findBy(RunEntity, { taskId, status: In(['SUBMITTED', 'PROCESSING']) });
  }

  /** Deletes task runs and the runs they started (their artifacts go by cascade). */
  async deleteTaskRuns(ids: string[], m?: EntityManager): Promise<void> {
    if (!ids.length) return;
    const mm = this.m(m);
    const runIds = (await mm.findBy(TaskRunEntity, { id: In(ids) })).map((r) => r.runId).filter((x): x is string => !!x);
    await mm.delete(TaskRunEntity, { id: In(ids) });
    if (runIds.length) await mm.delete(RunEntity, { id: In(runIds) });
  }

  /** Deletes a task with all its runs and their artifacts. */
  async deleteTask(id: string, m?: EntityManager): Promise<void> {
    const mm = this.m(m);
    await mm.delete(RunEntity, { taskId: id });
    await mm.delete(TaskEntity, { id }); // task_runs by cascade
  }

  async deleteTasksOfItem(itemId: string, m: EntityManager): Promise<void> {
    await m.query(`DELETE FROM runs WHERE task_id IN (SELECT id FROM tasks WHERE item_id = $1)`, [itemId]);
    await m.query(`DELETE FROM tasks WHERE item_id = $1`, [itemId]);
  }

  /** The notebook changed hands: its tasks become the new owner's, paused until they enable them. */
  async reassignTasksOfItem(itemId: string, newOwnerId: string, reason: string, at: Date, m: EntityManager): Promise<void> {
    await m.query(
      `UPDATE tasks SET owner_id = $2, active = false, task_state = 'inactive', disabled_reason = $3, updated = $4 WHERE item_id = $1`,
      [itemId, newOwnerId, reason, at],
    );
  }

  /** Finished task runs beyond the newest `keep` of a task (open ones are never pruned). */
  async beyondHistory(taskId: string, keep: number, m?: EntityManager): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.m(m).query(
      `SELECT id FROM task_runs WHERE task_id = $1 AND status NOT IN ('scheduled','executing')
        AND id NOT IN (SELECT id FROM task_runs WHERE task_id = $1 ORDER BY scheduled_for DESC LIMIT $2)`,
      [taskId, keep],
    );
    return rows.map((r) => r.id);
  }

  async tasksOverHistory(keep: number): Promise<string[]> {
    const rows: Array<{ task_id: string }> = await this.ds.query(`SELECT task_id FROM task_runs GROUP BY task_id HAVING count(*) > $1`, [keep]);
    return rows.map((r) => r.task_id);
  }

  /** Open task runs whose run finished before `before` without the outcome being recorded (a lost hook). */
  finishedRunsOfOpenTaskRuns(before: Date): Promise<RunEntity[]> {
    return this.ds.manager
      .createQueryBuilder(RunEntity, 'r')
      .innerJoin(TaskRunEntity, 'tr', 'tr.run_id = r.id')
      .where(`tr.status IN ('scheduled','executing') AND r.status IN ('COMPLETED','FAILED') AND r.finished_at < :before`, { before })
      .getMany();
  }

  /** Open task runs whose run is gone: nothing will ever finish them. */
  async closeOrphans(at: Date): Promise<void> {
    await this.ds.query(
      `UPDATE task_runs SET status = 'failed', result = 'The run of this fire no longer exists.', modified = $1
        WHERE status IN ('scheduled','executing') AND run_id IS NULL`,
      [at],
    );
  }
}

function toRow(r: Record<string, unknown>): TaskRunRow {
  return {
    id: r.id as string,
    taskId: r.task_id as string,
    scheduledFor: new Date(r.scheduled_for as string),
    status: r.status as TaskRunStatus,
    runId: (r.run_id as string | null) ?? null,
    result: r.result as string,
    trigger: (r.trigger as TaskRunTrigger | undefined) ?? 'task',
    attempt: (r.attempt as number | undefined) ?? 1,
    retryOf: (r.retry_of as string | null) ?? null,
    created: new Date(r.created as string),
    modified: new Date(r.modified as string),
    runStatus: (r.run_status as RunStatus | null) ?? null,
    hasArtifacts: !!r.has_artifacts,
    outputFiles: Array.isArray(r.output_files) ? (r.output_files as TaskRunRow['outputFiles']) : [],
  };
}
