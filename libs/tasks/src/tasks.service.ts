import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '@app/clock';
import { newId, RunEntity, TaskCron, TaskEntity, TaskParameters, UserEntity } from '@app/db';
import { NOTEBOOK_PARAMETERS_FORMS, parameterProblems, RunQueue, runLogLine, RunsService, SystemPropertiesService } from '@app/execution';
import { isAdmin, Principal, requirePrivilege, requireSelfOrAdmin, UsersRepository } from '@app/identity';
import { ItemsService, NOTEBOOK_TYPE } from '@app/notebooks';
import { NotificationTargetsCheck } from '@app/notifications';
import { DomainError } from '@app/rest';
import { CronSchedule, CronScheduleError } from './cron-schedule';
import { CreateTask, KNOWN_TASK_TYPES, RunTask, SUPPORTED_TASK_TYPE, UpdateTask } from './dto/tasks.dto';
import { fireAfter } from './fire-plan';
import { notebookParametersOf, runOptionsOf } from './task-parameters';
import { TaskWakeups } from './task-wakeups.service';
import { TaskRunRow, TasksRepository } from './tasks.repository';

const CRON_KEYS = ['second', 'minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek', 'timeZone'] as const;

/** The tasks API: who may do what, validation, and the active-task limits. Firing is the scheduler's. */
@Injectable()
export class TasksService implements OnModuleInit {
  private readonly log = new Logger('Runs');

  constructor(
    private readonly tasks: TasksRepository,
    private readonly users: UsersRepository,
    private readonly items: ItemsService,
    private readonly runs: RunsService,
    private readonly queue: RunQueue,
    private readonly props: SystemPropertiesService,
    private readonly wakeups: TaskWakeups,
    private readonly notificationTargets: NotificationTargetsCheck,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    // Inside the item's reassign/delete transaction: tasks follow their notebook.
    this.items.registerHooks({
      onReassigned: (itemId, newOwnerId, m) =>
        this.tasks.reassignTasksOfItem(itemId, newOwnerId, 'The notebook was reassigned to a new owner; enable the task to resume it.', this.clock.now(), m),
      onDeleted: (itemId, m) => this.tasks.deleteTasksOfItem(itemId, m),
    });
  }

  /** The user of the path, when the caller may act for them (themselves, or anyone for an administrator). */
  async owner(p: Principal, username: string): Promise<UserEntity> {
    requireSelfOrAdmin(p, username);
    const u = await this.users.findByUsername(username);
    if (!u) throw DomainError.notFound('User', username);
    return u;
  }

  async list(p: Principal, username: string, f: { itemId?: string; active?: boolean; types?: string[]; start: number; num: number }) {
    const owner = await this.owner(p, username);
    const all = await this.tasks.page({ ownerId: owner.id, itemId: f.itemId, active: f.active, types: f.types }, f.start, f.num);
    return { ...all, owner, activeTasksAvailable: await this.activeTasksAvailable(owner.id) };
  }

  async get(p: Principal, username: string, id: string): Promise<{ task: TaskEntity; ownerName: string }> {
    const pathUser = await this.owner(p, username);
    const task = await this.tasks.findById(id);
    if (!task || (task.ownerId !== pathUser.id && !isAdmin(p))) throw DomainError.notFound('Task', id);
    const ownerName = task.ownerId === pathUser.id ? pathUser.username : ((await this.users.findById(task.ownerId))?.username ?? '');
    return { task, ownerName };
  }

  async create(p: Principal, username: string, dto: CreateTask): Promise<TaskEntity> {
    requirePrivilege(p, 'scheduleNotebooks');
    const owner = await this.owner(p, username);
    checkType(dto.type);
    const item = await this.items.get(p, dto.itemId);
    if (item.type !== NOTEBOOK_TYPE) throw DomainError.invalid('NOT_A_NOTEBOOK', `Item '${item.id}' is a ${item.type}, not a Notebook.`);
    if (item.ownerId !== owner.id) {
      throw DomainError.invalid('NOT_OWNER', `A task runs a notebook its owner owns: item '${item.id}' does not belong to '${owner.username}'.`);
    }
    const cron = cronOf(dto as Partial<TaskCron>);
    const schedule = parseSchedule(cron);
    const parameters = await this.parametersOf(dto.parameters ?? {}, { updatePortalItem: true, saveInjectedParameters: false });
    const window = windowOf(dto.startDate ?? null, dto.endDate ?? null);
    if (dto.notifications) await this.notificationTargets.check(dto.notifications);
    const now = this.clock.now();
    const nextFireAt = firstFireOrThrow(schedule, window, now);
    const task: TaskEntity = Object.assign(new TaskEntity(), {
      id: newId(),
      ownerId: owner.id,
      itemId: item.id,
      type: SUPPORTED_TASK_TYPE,
      title: dto.title,
      cron,
      parameters,
      ...window,
      maxOccurrences: dto.maxOccurrences ?? dto.maxOccurences ?? null,
      occurrences: 0,
      active: true,
      taskState: 'active',
      disabledReason: null,
      consecutiveFailures: 0,
      maxRetries: dto.maxRetries ?? 0,
      retryDelaySeconds: dto.retryDelaySeconds ?? 60,
      notifications: dto.notifications ?? null,
      lastNotification: null,
      nextFireAt,
      lastStart: null,
      created: now,
      updated: now,
    });
    await this.tasks.transaction(async (m) => {
      await this.checkLimits(owner.id, m);
      await this.tasks.insert(task, m);
    });
    this.wakeups.announce(task.nextFireAt);
    return task;
  }

  /** Changes take effect from the next fire: the next fire is recomputed from now. */
  async update(p: Principal, username: string, id: string, dto: UpdateTask): Promise<void> {
    requirePrivilege(p, 'scheduleNotebooks');
    const { task } = await this.get(p, username, id);
    if (dto.type !== undefined) checkType(dto.type);
    const cron = cronOf({ ...task.cron, ...pick(dto, CRON_KEYS) } as Partial<TaskCron>);
    const schedule = parseSchedule(cron);
    const parameters = dto.parameters ? await this.parametersOf(dto.parameters, task.parameters) : task.parameters;
    const window = windowOf(
      dto.startDate !== undefined ? dto.startDate : (task.startDate?.getTime() ?? null),
      dto.endDate !== undefined ? dto.endDate : (task.endDate?.getTime() ?? null),
    );
    if (dto.notifications) await this.notificationTargets.check(dto.notifications);
    const maxOccurrences = dto.maxOccurrences !== undefined ? dto.maxOccurrences : dto.maxOccurences !== undefined ? dto.maxOccurences : task.maxOccurrences;
    const now = this.clock.now();
    const patch: Partial<TaskEntity> = {
      ...(dto.title !== undefined ? { title: dto.title } : {}),
      cron,
      parameters,
      ...window,
      maxOccurrences,
      ...(dto.maxRetries !== undefined ? { maxRetries: dto.maxRetries } : {}),
      ...(dto.retryDelaySeconds !== undefined ? { retryDelaySeconds: dto.retryDelaySeconds } : {}),
      ...(dto.notifications !== undefined ? { notifications: dto.notifications } : {}),
      updated: now,
      nextFireAt: fireAfter(schedule, window, now),
    };
    const active = await this.tasks.transaction(async (m) => {
      const fresh = (await this.tasks.lock(id, m))!;
      if (dto.isActive === true && !fresh.active) Object.assign(patch, await this.activation(fresh, schedule, window, maxOccurrences, now, m));
      else if (dto.isActive === false) Object.assign(patch, { active: false, taskState: fresh.taskState === 'active' ? 'inactive' : fresh.taskState });
      else if (fresh.active && !patch.nextFireAt) Object.assign(patch, { active: false, taskState: 'completed' });
      await this.tasks.update(id, patch, m);
      return patch.active ?? fresh.active;
    });
    if (active) this.wakeups.announce(patch.nextFireAt);
  }

  async enable(p: Principal, username: string, id: string): Promise<void> {
    requirePrivilege(p, 'scheduleNotebooks');
    const { task } = await this.get(p, username, id);
    const schedule = parseSchedule(task.cron);
    const now = this.clock.now();
    const patch = await this.tasks.transaction(async (m) => {
      const fresh = (await this.tasks.lock(id, m))!;
      const patch = await this.activation(fresh, schedule, task, task.maxOccurrences, now, m);
      await this.tasks.update(id, { ...patch, updated: now }, m);
      return patch;
    });
    this.wakeups.announce(patch.nextFireAt);
  }

  async disable(p: Principal, username: string, id: string): Promise<void> {
    requirePrivilege(p, 'scheduleNotebooks');
    await this.get(p, username, id);
    await this.tasks.update(id, { active: false, taskState: 'inactive', updated: this.clock.now() });
  }

  /** Deletes the task, its runs (stopping those in progress) and their snapshots. */
  async delete(p: Principal, username: string, id: string): Promise<void> {
    requirePrivilege(p, 'scheduleNotebooks');
    await this.get(p, username, id);
    // Deactivate first so no new fire starts while the runs in progress are stopped.
    await this.tasks.update(id, { active: false });
    for (const run of await this.tasks.runsInProgress(id)) await this.runs.cancel(run);
    await this.tasks.deleteTask(id);
  }

  /**
   * Run now: one fire of the task at once, recorded as a task run of trigger `manual`, queued like any run (so the
   * per-node cap holds). Refused while the task's previous run (or a pending retry) is open; a task that is not
   * active may run only while its owner has room under the active-task limits. Overrides apply to this run only.
   */
  async runNow(p: Principal, username: string, id: string, dto: RunTask): Promise<{ taskRunId: string; run: RunEntity }> {
    requirePrivilege(p, 'scheduleNotebooks');
    const { task } = await this.get(p, username, id);
    const parameters = dto.parameters ? await this.parametersOf(overriding(task.parameters, dto.parameters), task.parameters) : task.parameters;
    const owner = await this.users.findById(task.ownerId);
    if (!owner) throw DomainError.notFound('User', task.ownerId);
    const run = await this.runs.prepare({
      trigger: 'manual',
      taskId: task.id,
      itemId: task.itemId,
      owner: { id: owner.id, username: owner.username },
      ...runOptionsOf(parameters),
    });
    run.messages.push(`Run now, requested by ${p.username}.`);
    const now = this.clock.now();
    const taskRunId = newId();
    await this.tasks.transaction(async (m) => {
      const fresh = await this.tasks.lock(id, m);
      if (!fresh) throw DomainError.notFound('Task', id);
      if (!fresh.active) await this.checkLimits(fresh.ownerId, m);
      const tr = { id: taskRunId, taskId: id, scheduledFor: now, status: 'scheduled' as const, runId: run.id, result: 'Submitted (run now).', trigger: 'manual' as const, attempt: 1, retryOf: null, created: now, modified: now };
      const { refusedBy } = await this.tasks.insertManualRun(id, tr, run, m);
      if (refusedBy) {
        throw DomainError.conflict('TASK_RUN_IN_PROGRESS', `The task's previous run (job ${refusedBy}) is still in progress or waiting for a retry; run it again once that ends.`);
      }
      await this.tasks.update(id, { lastStart: now }, m);
    });
    await this.queue.enqueue(run.id);
    this.log.log(runLogLine(run, 'SUBMITTED', { taskRunId }));
    return { taskRunId, run };
  }

  async runsOf(p: Principal, username: string, id: string, start: number, num: number) {
    await this.get(p, username, id);
    return this.tasks.runsOf(id, start, num);
  }

  async run(p: Principal, username: string, id: string, runId: string): Promise<TaskRunRow> {
    await this.get(p, username, id);
    const r = await this.tasks.findTaskRun(id, runId);
    if (!r) throw DomainError.notFound('Task run', runId);
    return r;
  }

  async deleteRun(p: Principal, username: string, id: string, runId: string): Promise<void> {
    requirePrivilege(p, 'scheduleNotebooks');
    const r = await this.run(p, username, id, runId);
    if (r.runId && (r.runStatus === 'SUBMITTED' || r.runStatus === 'PROCESSING')) {
      await this.runs.cancel(await this.runs.getVisible(p, r.runId));
    }
    await this.tasks.deleteTaskRuns([r.id]);
  }

  async activeTasksAvailable(ownerId: string): Promise<number> {
    const { ExecuteNotebooksUserLimit: user, ExecuteNotebooksOrgLimit: org } = await this.props.getAll();
    const [mine, all] = await Promise.all([this.tasks.countActive(ownerId), this.tasks.countActive()]);
    return Math.max(0, Math.min(user - mine, org - all));
  }

  /** Turning a task on: within the limits, failures forgotten, next fire from now. */
  private async activation(
    task: TaskEntity,
    schedule: CronSchedule,
    window: { startDate: Date | null; endDate: Date | null },
    maxOccurrences: number | null,
    now: Date,
    m: EntityManager,
  ): Promise<Partial<TaskEntity>> {
    if (maxOccurrences !== null && task.occurrences >= maxOccurrences) {
      throw DomainError.invalid('TASK_COMPLETED', `The task has run its ${maxOccurrences} occurrence(s); raise maxOccurrences to enable it again.`);
    }
    const nextFireAt = firstFireOrThrow(schedule, window, now);
    if (!task.active) await this.checkLimits(task.ownerId, m);
    return { active: true, taskState: 'active', consecutiveFailures: 0, disabledReason: null, nextFireAt };
  }

  /** One more active task must fit within ExecuteNotebooksUserLimit and ExecuteNotebooksOrgLimit. */
  private async checkLimits(ownerId: string, m: EntityManager): Promise<void> {
    await this.tasks.lockLimits(m);
    const { ExecuteNotebooksUserLimit: user, ExecuteNotebooksOrgLimit: org } = await this.props.getAll();
    if ((await this.tasks.countActive(ownerId, m)) >= user) {
      throw DomainError.invalid(
        'TASK_LIMIT_REACHED',
        `The user already has ${user} active tasks, the most allowed (ExecuteNotebooksUserLimit). Disable or delete one first.`,
      );
    }
    if ((await this.tasks.countActive(undefined, m)) >= org) {
      throw DomainError.invalid(
        'TASK_LIMIT_REACHED',
        `The organization already has ${org} active tasks, the most allowed (ExecuteNotebooksOrgLimit). Disable or delete one first.`,
      );
    }
  }

  /** Task parameters with the executeNotebook defaults; notebookParameters kept as given, but checked now. */
  private async parametersOf(input: Record<string, unknown>, base: TaskParameters): Promise<TaskParameters> {
    const out: TaskParameters = {
      updatePortalItem: (input.updatePortalItem as boolean | undefined) ?? base.updatePortalItem,
      saveInjectedParameters: (input.saveInjectedParameters as boolean | undefined) ?? base.saveInjectedParameters,
      notebookParameters: input.notebookParameters !== undefined ? input.notebookParameters : base.notebookParameters,
      executionTimeoutInMinutes: (input.executionTimeoutInMinutes as number | undefined) ?? base.executionTimeoutInMinutes,
      runtime: (input.runtime as string | undefined) ?? base.runtime,
      retryOnInfrastructureFailure: (input.retryOnInfrastructureFailure as boolean | undefined) ?? base.retryOnInfrastructureFailure,
    };
    if (out.notebookParameters !== undefined && out.notebookParameters !== '') {
      const parsed = notebookParametersOf(out);
      if (!parsed) throw DomainError.invalid('INVALID_NOTEBOOK_PARAMETERS', `parameters.notebookParameters: ${NOTEBOOK_PARAMETERS_FORMS}`);
      const problems = parameterProblems(parsed);
      if (problems.length) throw DomainError.invalid('INVALID_NOTEBOOK_PARAMETERS', `Invalid parameters.notebookParameters: ${problems.join('; ')}`, problems);
    }
    const { maxExecuteNotebookTimeMinutes: max } = await this.props.getAll();
    if (out.executionTimeoutInMinutes !== undefined && out.executionTimeoutInMinutes > max) {
      throw DomainError.invalid('INVALID_TIMEOUT', `parameters.executionTimeoutInMinutes must be at most ${max} (got ${out.executionTimeoutInMinutes}).`);
    }
    if (out.executionTimeoutInMinutes === undefined) delete out.executionTimeoutInMinutes;
    if (out.notebookParameters === undefined) delete out.notebookParameters;
    if (out.runtime === undefined) delete out.runtime;
    if (out.retryOnInfrastructureFailure === undefined) delete out.retryOnInfrastructureFailure;
    return out;
  }
}

/** Run-now overrides over the task's parameters; notebookParameters merge key by key. */
function overriding(base: TaskParameters, o: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...o };
  if (o.notebookParameters !== undefined) {
    const mine = notebookParametersOf(base) ?? {};
    const theirs = notebookParametersOf({ ...base, notebookParameters: o.notebookParameters });
    // Not an object: left as given, so that the check of parametersOf names it.
    merged.notebookParameters = theirs ? { ...mine, ...theirs } : o.notebookParameters;
  }
  return merged;
}

function checkType(type: string): void {
  if (type === SUPPORTED_TASK_TYPE) return;
  const known = KNOWN_TASK_TYPES.includes(type);
  throw DomainError.invalid(
    'UNSUPPORTED_TASK_TYPE',
    `type: ${known ? `'${type}' tasks are not supported by this server` : `'${type}' is not a task type`}; only '${SUPPORTED_TASK_TYPE}' is.`,
  );
}

export function cronOf(f: Partial<TaskCron>): TaskCron {
  const cron: TaskCron = { minute: f.minute ?? '', hour: f.hour ?? '', dayOfMonth: f.dayOfMonth ?? '', month: f.month ?? '', dayOfWeek: f.dayOfWeek ?? '' };
  if (f.second !== undefined && f.second !== null) cron.second = f.second;
  if (f.timeZone !== undefined && f.timeZone !== null) cron.timeZone = f.timeZone;
  return cron;
}

export function parseSchedule(cron: TaskCron): CronSchedule {
  try {
    return CronSchedule.parse(cron);
  } catch (e) {
    if (e instanceof CronScheduleError) throw DomainError.invalid('INVALID_SCHEDULE', `Invalid schedule: ${e.message}`, [e.message]);
    throw e;
  }
}

export function windowOf(startMs: number | null, endMs: number | null) {
  if (startMs !== null && endMs !== null && endMs <= startMs) throw DomainError.invalid('INVALID_PARAMETERS', 'endDate: must be after startDate');
  return { startDate: startMs === null ? null : new Date(startMs), endDate: endMs === null ? null : new Date(endMs) };
}

function firstFireOrThrow(s: CronSchedule, window: { startDate: Date | null; endDate: Date | null }, now: Date): Date {
  const next = fireAfter(s, window, now);
  if (!next) throw DomainError.invalid('NO_FIRE_LEFT', 'The schedule has no fire time left between now, startDate and endDate.');
  return next;
}

function pick<T extends object, K extends readonly string[]>(o: T, keys: K): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if ((o as Record<string, unknown>)[k] !== undefined) out[k] = (o as Record<string, unknown>)[k];
  return out;
}
