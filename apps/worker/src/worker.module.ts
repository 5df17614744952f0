import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AppConfig, ConfigModule } from '@app/config';
import { ClockModule } from '@app/clock';
import { DbModule } from '@app/db';
import { EventsModule } from '@app/events';
import { ExecutionWorkerModule } from '@app/execution';
import { LoggingModule } from '@app/logging';
import { MetricsModule } from '@app/metrics';
import { NotificationsWorkerModule } from '@app/notifications';
import { RedisModule } from '@app/queues';
import { TasksModule } from '@app/tasks';
import { WebhooksWorkerModule } from '@app/webhooks';
import { WorkerMetricsServer } from './metrics-server';

/** The worker process: no HTTP, it takes runs off the queue and runs them in containers. */
@Module({})
export class WorkerModule {
  static forRoot(config?: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [ConfigModule.forRoot(config), LoggingModule, ClockModule, DbModule, RedisModule, MetricsModule, EventsModule, ScheduleModule.forRoot(), ExecutionWorkerModule, TasksModule, WebhooksWorkerModule, NotificationsWorkerModule],
      providers: [WorkerMetricsServer],
    };
  }
}
