import { Controller, Get } from '@nestjs/common';
import { z } from 'zod';
import { Clock } from '@app/clock';
import { CurrentUser, Principal, requireAdmin, UsersRepository } from '@app/identity';
import { Params, Returns, page } from '@app/rest';
import { CronSchedule } from './cron-schedule';
import { ListTasksDto } from './dto/tasks.dto';
import { taskView } from './task.view';
import { TasksRepository } from './tasks.repository';
import { AdminTaskListJson } from './dto/task-responses.dto';

/** Every owner's tasks in one list, for administrators (the Manager's Tasks page). */
@Controller('arcgis/admin/notebooks/tasks')
export class AdminTasksController {
  constructor(
    private readonly tasks: TasksRepository,
    private readonly users: UsersRepository,
    private readonly clock: Clock,
  ) {}

  @Returns(AdminTaskListJson)
  @Get()
  async list(@CurrentUser() p: Principal, @Params(ListTasksDto) q: z.infer<typeof ListTasksDto>) {
    requireAdmin(p);
    const r = await this.tasks.page({ itemId: q.itemId, active: q.active, types: q.types }, q.start, q.num);
    const owners = new Map((await this.users.findByIds([...new Set(r.rows.map((t) => t.ownerId))])).map((u) => [u.id, u.username]));
    const now = this.clock.now();
    return { ...page(r, q.start, q.num), tasks: r.rows.map((t) => taskView(t, owners.get(t.ownerId) ?? '', CronSchedule.parse(t.cron).intervalSeconds(now))) };
  }
}
