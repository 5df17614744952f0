import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { Clock } from '@app/clock';
import { SystemPropertiesService } from '@app/execution';
import { housekeepingPass, RedisConnections } from '@app/queues';
import { TaskOutcomes } from './task-outcomes.service';
import { TasksRepository } from './tasks.repository';

/** A recorded outcome is this late before housekeeping records it itself (the worker's hook normally does it at once). */
const OUTCOME_GRACE_MS = 10_000;

/**
 * Site-wide checks of tasks, one node per pass: outcomes of runs that finished without their task hearing of it
 * (a worker died between the two, a queued run was cancelled), task runs whose run is gone, and history pruning.
 */
@Injectable()
export class TasksHousekeeping {
  private readonly log = new Logger('TasksHousekeeping');

  constructor(
    private readonly tasks: TasksRepository,
    private readonly outcomes: TaskOutcomes,
    private readonly props: SystemPropertiesService,
    private readonly redis: RedisConnections,
    private readonly clock: Clock,
  ) {}

  @Interval('tasks-housekeeping', 5_000)
  async tick(): Promise<void> {
    await housekeepingPass(this.redis, 'tasks-housekeeping', 60_000, this.log, () => this.pass());
  }

  async pass(): Promise<void> {
    const now = this.clock.nowMs();
    for (const run of await this.tasks.finishedRunsOfOpenTaskRuns(new Date(now - OUTCOME_GRACE_MS))) await this.outcomes.record(run);
    await this.tasks.closeOrphans(this.clock.now());
    const { TaskRunHistoryCount: keep } = await this.props.getAll();
    for (const taskId of await this.tasks.tasksOverHistory(keep)) await this.outcomes.prune(taskId, keep);
  }
}
