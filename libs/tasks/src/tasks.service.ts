import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '@app/clock';
import { newId, TaskCron, TaskEntity, TaskParameters, UserEntity } from '@app/db';
import { parameterProblems, RunsService, SystemPropertiesService } from '@app/execution';
import { isAdmin, Principal, requirePrivilege, requireSelfOrAdmin, UsersRepository } from '@app/identity';
import { ItemsService, NOTEBOOK_TYPE } from '@app/notebooks';
import { DomainError } from '@app/rest';
import { CronSchedule, CronScheduleError } from './cron-schedule';
import { CreateTask, KNOWN_TASK_TYPES, SUPPORTED_TASK_TYPE, UpdateTask } from './dto/tasks.dto';
import { fireAfter } from './fire-plan';
import { notebookParametersOf } from './task-parameters';
import { TaskRunRow, TasksRepository } from './tasks.repository';

const CRON_KEYS = ['second', 'minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek', 'timeZone'] as const;

/** The tasks API: who may do what, validation, and the active-task limits. Firing is the scheduler's. */
@Injectable()
export class TasksService implements OnModuleInit {
  constructor(
    private readonly tasks: TasksRepository,
    private readonly users: UsersRepository,
    private readonly items: ItemsService,
    private readonly runs: RunsService,
    private readonly props: SystemPropertiesService,
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
      nextFireAt,
      lastStart: null,
      created: now,
      updated: now,
    });
    await this.tasks.transaction(async (m) => {
      await this.checkLimits(owner.id, m);
      await this.tasks.insert(task, m);
    });
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
    const maxOccurrences = dto.maxOccurrences !== undefined ? dto.maxOccurrences : dto.maxOccurences !== undefined ? dto.maxOccurences : task.maxOccurrences;
    const now = this.clock.now();
    const patch: Partial<TaskEntity> = {
      ...(dto.title !== undefined ? { title: dto.title } : {}),
      cron,
      parameters,
      ...window,
      maxOccurrences,
      updated: now,
      nextFireAt: fireAfter(schedule, window, now),
    };
    await this.tasks.transaction(async (m) => {
      const fresh = (await this.tasks.lock(id, m))!;
      if (dto.isActive === true && !fresh.active) Object.assign(patch, await this.activation(fresh, schedule, window, maxOccurrences, now, m));
      else if (dto.isActive === false) Object.assign(patch, { active: false, taskState: fresh.taskState === 'active' ? 'inactive' : fresh.taskState });
      else if (fresh.active && !patch.nextFireAt) Object.assign(patch, { active: false, taskState: 'completed' });
      await this.tasks.update(id, patch, m);
    });
  }

  async enable(p: Principal, username: string, id: string): Promise<void> {
    requirePrivilege(p, 'scheduleNotebooks');
    const { task } = await this.get(p, username, id);
    const schedule = parseSchedule(task.cron);
    const now = this.clock.now();
    await this.tasks.transaction(async (m) => {
      const fresh = (await this.tasks.lock(id, m))!;
      const patch = await this.activation(fresh, schedule, task, task.maxOccurrences, now, m);
      await this.tasks.update(id, { ...patch, updated: now }, m);
    });
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
    };
    if (out.notebookParameters !== undefined && out.notebookParameters !== '') {
      const parsed = notebookParametersOf(out);
      if (!parsed) throw DomainError.invalid('INVALID_NOTEBOOK_PARAMETERS', 'parameters.notebookParameters: must be a JSON object of parameter names to values');
      const problems = parameterProblems(parsed);
      if (problems.length) throw DomainError.invalid('INVALID_NOTEBOOK_PARAMETERS', `Invalid parameters.notebookParameters: ${problems.join('; ')}`, problems);
    }
    const { maxExecuteNotebookTimeMinutes: max } = await this.props.getAll();
    if (out.executionTimeoutInMinutes !== undefined && out.executionTimeoutInMinutes > max) {
      throw DomainError.invalid('INVALID_TIMEOUT', `parameters.executionTimeoutInMinutes must be at most ${max} (got ${out.executionTimeoutInMinutes}).`);
    }
    if (out.executionTimeoutInMinutes === undefined) delete out.executionTimeoutInMinutes;
    if (out.notebookParameters === undefined) delete out.notebookParameters;
    return out;
  }
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
