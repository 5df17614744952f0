import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { RunArtifactEntity, RunEntity, RunFileEntity, RunStatus } from '@app/db';

export const FINISHED: RunStatus[] = ['COMPLETED', 'FAILED'];

/** Named queries on runs; state changes are conditional on the current status so handlers stay idempotent. */
@Injectable()
export class RunsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private m(m?: EntityManager) {
    return m ?? this.ds.manager;
  }

  findById(id: string): Promise<RunEntity | null> {
    return this.ds.manager.findOneBy(RunEntity, { id });
  }

  findByRequestKey(ownerId: string, requestKey: string): Promise<RunEntity | null> {
    return this.ds.manager.findOneBy(RunEntity, { ownerId, requestKey });
  }

  async insert(run: RunEntity | RunEntity[], m?: EntityManager): Promise<void> {
    if (Array.isArray(run) && !run.length) return;
    await this.m(m).insert(RunEntity, run as never);
  }

  /**
   * Moves a run from one status to another, appending `messages` in the same statement;
   * false when it was not in `from` (someone else got there first).
   */
  async transition(id: string, from: RunStatus[], patch: Partial<RunEntity>, messages: string[] = []): Promise<boolean> {
    const set: Record<string, unknown> = { ...patch };
    if (messages.length) set.messages = () => 'messages || CAST(:newMessages AS jsonb)';
    const r = await this.ds.manager
      .createQueryBuilder()
      .update(RunEntity)
      .set(set as never)
      .where('id = :id AND status IN (:...from)', { id, from, newMessages: JSON.stringify(messages) })
      .execute();
    return (r.affected ?? 0) > 0;
  }

  /**
   * Finishes a run that is PROCESSING, with its messages and artifacts, in one statement (a CTE),
   * so a client never sees COMPLETED without the snapshot. False when the run was not PROCESSING.
   */
  async finish(
    id: string,
    patch: Partial<RunEntity> & { status: RunStatus; finishedAt: Date },
    messages: string[],
    artifacts?: { notebook: string; snapshotHtml: string },
  ): Promise<boolean> {
    const params: unknown[] = [
      id,
      patch.status,
      patch.finishedAt,
      JSON.stringify(messages),
      patch.hasArtifacts ?? false,
      patch.result === undefined ? null : JSON.stringify(patch.result),
      patch.error === undefined ? null : JSON.stringify(patch.error),
      patch.cancelled ?? null,
    ];
    const update = `UPDATE runs SET status = $2, finished_at = $3, messages = messages || $4::jsonb, has_artifacts = $5,
        result = COALESCE($6::jsonb, result), error = COALESCE($7::jsonb, error), cancelled = COALESCE($8::boolean, cancelled)
      WHERE id = $1 AND status = 'PROCESSING' RETURNING id`;
    let sql = update;
    if (artifacts) {
      params.push(artifacts.notebook, artifacts.snapshotHtml);
      sql = `WITH a AS (INSERT INTO run_artifacts (run_id, notebook, snapshot_html) VALUES ($1, $9, $10)
          ON CONFLICT (run_id) DO UPDATE SET notebook = EXCLUDED.notebook, snapshot_html = EXCLUDED.snapshot_html)
        ${update}`;
    }
    const rows = (await this.ds.query(sql, params)) as unknown[];
    return rows.length > 0;
  }

  async appendMessage(id: string, message: string): Promise<void> {
    await this.ds.query(`UPDATE runs SET messages = messages || $2::jsonb WHERE id = $1`, [id, JSON.stringify([message])]);
  }

  async setCancelled(id: string): Promise<void> {
    await this.ds.manager.update(RunEntity, { id }, { cancelled: true });
  }

  async page(opts: { ownerId?: string; num: number; start?: number; newestFirst: boolean }): Promise<{ total: number; rows: RunEntity[] }> {
    const [rows, total] = await this.ds.manager.findAndCount(RunEntity, {
      where: opts.ownerId ? { ownerId: opts.ownerId } : {},
      order: { submittedAt: opts.newestFirst ? 'DESC' : 'ASC', id: 'ASC' },
      skip: (opts.start ?? 1) - 1,
      take: opts.num,
    });
    return { total, rows };
  }

  /** Runs of this node that a crashed process left behind. */
  /** The runtime of each of these runs that is still SUBMITTED (queued). */
  async queuedRuntimes(ids: string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows = await this.ds.manager.find(RunEntity, { select: { id: true, runtime: true }, where: { id: In(ids), status: 'SUBMITTED' } });
    return new Map(rows.map((r) => [r.id, r.runtime]));
  }

  findByNodeAndStatus(nodeName: string, status: RunStatus): Promise<RunEntity[]> {
    return this.ds.manager.findBy(RunEntity, { nodeName, status });
  }

  /** Runs in progress on nodes whose heartbeat stopped before `before`. */
  async findProcessingOnSilentNodes(before: Date): Promise<RunEntity[]> {
    return this.ds.manager
      .createQueryBuilder(RunEntity, 'r')
      .leftJoin('worker_nodes', 'n', 'n.name = r.node_name')
      .where(`r.status = 'PROCESSING'`)
      .andWhere('(n.name IS NULL OR n.last_heartbeat < :before)', { before })
      .getMany();
  }

  /** Runs in progress whose deadline (start + their timeout) passed before `before`, wherever they run. */
  findProcessingPastDeadline(before: Date): Promise<RunEntity[]> {
    return this.ds.manager
      .createQueryBuilder(RunEntity, 'r')
      .where(`r.status = 'PROCESSING' AND r.started_at + r.timeout_minutes * interval '1 minute' < :before`, { before })
      .getMany();
  }

  /** Submitted runs older than `before`, to re-enqueue in case their job was lost. */
  findSubmittedBefore(before: Date, limit = 500): Promise<RunEntity[]> {
    return this.ds.manager
      .createQueryBuilder(RunEntity, 'r')
      .where(`r.status = 'SUBMITTED' AND r.submitted_at < :before`, { before })
      .orderBy('r.submitted_at', 'ASC')
      .take(limit)
      .getMany();
  }

  async saveArtifacts(runId: string, notebook: string, snapshotHtml: string): Promise<void> {
    await this.ds.manager.upsert(RunArtifactEntity, { runId, notebook, snapshotHtml }, ['runId']);
  }

  async saveFiles(runId: string, files: Array<{ name: string; size: number; content: Buffer }>): Promise<void> {
    if (files.length) await this.ds.manager.upsert(RunFileEntity, files.map((f) => ({ runId, ...f })), ['runId', 'name']);
  }

  findFile(runId: string, name: string): Promise<RunFileEntity | null> {
    return this.ds.manager.findOneBy(RunFileEntity, { runId, name });
  }

  findArtifacts(runId: string): Promise<RunArtifactEntity | null> {
    return this.ds.manager.findOneBy(RunArtifactEntity, { runId });
  }

  /** Deletes finished runs (and, by cascade, their artifacts); returns how many. */
  /** Finished runs, except those a task's run history still links to (their snapshots go with the history). */
  async deleteFinished(ownerId?: string): Promise<number> {
    const r = await this.ds.manager
      .createQueryBuilder()
      .delete()
      .from(RunEntity)
      .where('status IN (:...finished)', { finished: FINISHED })
      .andWhere(ownerId ? 'owner_id = :ownerId' : 'TRUE', { ownerId })
      .andWhere('NOT EXISTS (SELECT 1 FROM task_runs tr WHERE tr.run_id = runs.id)')
      .execute();
    return r.affected ?? 0;
  }

  async deleteByIds(ids: string[], m?: EntityManager): Promise<void> {
    if (ids.length) await this.m(m).delete(RunEntity, { id: In(ids) });
  }
}
