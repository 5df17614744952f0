import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { z } from 'zod';
import { CurrentUser, Principal } from '@app/identity';
import { page, Params, PublicUrl, Returns } from '@app/rest';
import { RunNowJson, TaskDoneJson, TaskJson, TaskListJson, TaskRunDeletedJson, TaskRunJson, TaskRunListJson } from './dto/task-responses.dto';
import { CreateTaskDto, ListRunsDto, ListTasksDto, RunTaskDto, UpdateTaskDto } from './dto/tasks.dto';
import { taskRunView, taskView } from './task.view';
import { CronSchedule } from './cron-schedule';
import { TasksService } from './tasks.service';
import { Clock } from '@app/clock';
import type { TaskEntity } from '@app/db';

/** The sharing API's scheduled tasks, per user. */
@Controller('sharing/rest/community/users/:username/tasks')
export class TasksController {
  constructor(
    private readonly tasks: TasksService,
    private readonly clock: Clock,
  ) {}

  private view(t: TaskEntity, username: string) {
    return taskView(t, username, CronSchedule.parse(t.cron).intervalSeconds(this.clock.now()));
  }

  @Returns(TaskListJson)
  @Get()
  async list(@CurrentUser() p: Principal, @Param('username') username: string, @Params(ListTasksDto) q: z.infer<typeof ListTasksDto>) {
    const r = await this.tasks.list(p, username, q);
    return { ...page(r, q.start, q.num), activeTasksAvailable: r.activeTasksAvailable, tasks: r.rows.map((t) => this.view(t, r.owner.username)) };
  }

  @Returns(TaskDoneJson)
  @Post('createTask')
  @HttpCode(200)
  async create(@CurrentUser() p: Principal, @Param('username') username: string, @Params(CreateTaskDto) dto: z.infer<typeof CreateTaskDto>) {
    const t = await this.tasks.create(p, username, dto);
    return { success: true, taskId: t.id };
  }

  @Returns(TaskJson)
  @Get(':taskId')
  async get(@CurrentUser() p: Principal, @Param('username') username: string, @Param('taskId') id: string) {
    const { task, ownerName } = await this.tasks.get(p, username, id);
    return this.view(task, ownerName);
  }

  @Returns(TaskDoneJson)
  @Post(':taskId/update')
  @HttpCode(200)
  async update(
    @CurrentUser() p: Principal,
    @Param('username') username: string,
    @Param('taskId') id: string,
    @Params(UpdateTaskDto) dto: z.infer<typeof UpdateTaskDto>,
  ) {
    await this.tasks.update(p, username, id, dto);
    return { success: true, taskId: id };
  }

  @Returns(TaskDoneJson)
  @Post(':taskId/enable')
  @HttpCode(200)
  async enable(@CurrentUser() p: Principal, @Param('username') username: string, @Param('taskId') id: string) {
    await this.tasks.enable(p, username, id);
    return { success: true, taskId: id };
  }

  @Returns(TaskDoneJson)
  @Post(':taskId/disable')
  @HttpCode(200)
  async disable(@CurrentUser() p: Principal, @Param('username') username: string, @Param('taskId') id: string) {
    await this.tasks.disable(p, username, id);
    return { success: true, taskId: id };
  }

  @Returns(TaskDoneJson)
  @Post(':taskId/delete')
  @HttpCode(200)
  async delete(@CurrentUser() p: Principal, @Param('username') username: string, @Param('taskId') id: string) {
    await this.tasks.delete(p, username, id);
    return { success: true, taskId: id };
  }

  /** Run now (ours): fires the task once, at once. */
  @Returns(RunNowJson)
  @Post(':taskId/run')
  @HttpCode(200)
  async runNow(
    @CurrentUser() p: Principal,
    @Param('username') username: string,
    @Param('taskId') id: string,
    @Params(RunTaskDto) dto: z.infer<typeof RunTaskDto>,
    @PublicUrl() base: string,
  ) {
    const { taskRunId, run } = await this.tasks.runNow(p, username, id, dto);
    // runId names the task run (as in …/runs/{runId}); jobId the job that executes it.
    return { success: true, taskId: id, runId: taskRunId, jobId: run.id, jobUrl: `${base}/arcgis/admin/system/jobs/${run.id}` };
  }

  @Returns(TaskRunListJson)
  @Get(':taskId/runs')
  async runs(
    @CurrentUser() p: Principal,
    @Param('username') username: string,
    @Param('taskId') id: string,
    @Params(ListRunsDto) q: z.infer<typeof ListRunsDto>,
    @PublicUrl() base: string,
  ) {
    const r = await this.tasks.runsOf(p, username, id, q.start, q.num);
    return { ...page(r, q.start, q.num), runs: r.rows.map((row) => taskRunView(row, base)) };
  }

  @Returns(TaskRunJson)
  @Get(':taskId/runs/:runId')
  async run(
    @CurrentUser() p: Principal,
    @Param('username') username: string,
    @Param('taskId') id: string,
    @Param('runId') runId: string,
    @PublicUrl() base: string,
  ) {
    return taskRunView(await this.tasks.run(p, username, id, runId), base);
  }

  @Returns(TaskRunDeletedJson)
  @Post(':taskId/runs/:runId/delete')
  @HttpCode(200)
  async deleteRun(@CurrentUser() p: Principal, @Param('username') username: string, @Param('taskId') id: string, @Param('runId') runId: string) {
    await this.tasks.deleteRun(p, username, id, runId);
    return { success: true, runId };
  }
}
