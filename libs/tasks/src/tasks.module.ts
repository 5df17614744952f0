import { Module } from '@nestjs/common';
import { ExecutionModule } from '@app/execution';
import { IdentityModule } from '@app/identity';
import { NotebooksModule } from '@app/notebooks';
import { NotificationsModule } from '@app/notifications';
import { AdminTasksController } from './admin-tasks.controller';
import { SchedulePreviewController } from './schedule-preview.controller';
import { TaskScheduler } from './scheduler.service';
import { TaskOutcomes } from './task-outcomes.service';
import { TaskWakeups } from './task-wakeups.service';
import { TasksController } from './tasks.controller';
import { TasksHousekeeping } from './tasks-housekeeping.service';
import { TasksRepository } from './tasks.repository';
import { TasksService } from './tasks.service';

/**
 * What every process needs: tasks follow their notebook (item hooks) and hear of finished runs (run hooks),
 * and due tasks are fired. Api and worker processes both import it; Postgres keeps each fire to one node.
 */
@Module({
  imports: [ExecutionModule, IdentityModule, NotebooksModule, NotificationsModule],
  providers: [TasksRepository, TasksService, TaskOutcomes, TaskWakeups, TaskScheduler, TasksHousekeeping],
  exports: [TasksRepository, TasksService, TaskOutcomes, TaskScheduler],
})
export class TasksModule {}

/** The tasks API of the sharing REST surface. */
@Module({
  imports: [TasksModule, IdentityModule],
  // The preview first: its fixed path must win over the tasks controller's `:taskId`.
  controllers: [SchedulePreviewController, TasksController, AdminTasksController],
})
export class TasksHttpModule {}
