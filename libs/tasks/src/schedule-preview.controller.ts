import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { z } from 'zod';
import { Clock } from '@app/clock';
import type { TaskCron } from '@app/db';
import { CurrentUser, Principal } from '@app/identity';
import { Params, Returns, zInt } from '@app/rest';
import { CreateTaskDto } from './dto/tasks.dto';
import { fireAfter } from './fire-plan';
import { cronOf, parseSchedule, TasksService, windowOf } from './tasks.service';
import { SchedulePreviewJson } from './dto/task-responses.dto';

/** A schedule as createTask takes it, and how many fires to list. */
export const PreviewScheduleDto = CreateTaskDto.pick({
  second: true,
  minute: true,
  hour: true,
  dayOfMonth: true,
  month: true,
  dayOfWeek: true,
  timeZone: true,
  startDate: true,
  endDate: true,
  maxOccurrences: true,
  maxOccurences: true,
}).extend({ count: zInt.pipe(z.number().min(1).max(50)).optional().default(5) });

/**
 * Ours: the next fire times of a schedule, validated exactly as createTask/update validate it (a 400
 * `INVALID_SCHEDULE` whose details start with the field's name), so a form can preview before saving.
 * Declared before the tasks controller so `previewSchedule` is not taken for a task id.
 */
@Controller('sharing/rest/community/users/:username/tasks/previewSchedule')
export class SchedulePreviewController {
  constructor(
    private readonly tasks: TasksService,
    private readonly clock: Clock,
  ) {}

  @Returns(SchedulePreviewJson)
  @Get()
  async get(@CurrentUser() p: Principal, @Param('username') username: string, @Params(PreviewScheduleDto) dto: z.infer<typeof PreviewScheduleDto>) {
    await this.tasks.owner(p, username);
    const schedule = parseSchedule(cronOf(dto as Partial<TaskCron>));
    const window = windowOf(dto.startDate ?? null, dto.endDate ?? null);
    const limit = Math.min(dto.count, dto.maxOccurrences ?? dto.maxOccurences ?? dto.count);
    const nextRuns: number[] = [];
    for (let at: Date | null = this.clock.now(); nextRuns.length < limit; ) {
      at = fireAfter(schedule, window, at);
      if (!at) break;
      nextRuns.push(at.getTime());
    }
    return { timeZone: schedule.timeZone, nextRuns };
  }

  @Returns(SchedulePreviewJson)
  @Post()
  @HttpCode(200)
  post(@CurrentUser() p: Principal, @Param('username') username: string, @Params(PreviewScheduleDto) dto: z.infer<typeof PreviewScheduleDto>) {
    return this.get(p, username, dto);
  }
}
