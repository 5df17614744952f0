import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AppConfig, ConfigModule } from '@app/config';
import { ClockModule } from '@app/clock';
import { DbModule } from '@app/db';
import { EventsModule } from '@app/events';
import { ExecutionHttpModule } from '@app/execution';
import { IdentityHttpModule } from '@app/identity';
import { LoggingModule } from '@app/logging';
import { MetricsModule } from '@app/metrics';
import { NotebooksHttpModule } from '@app/notebooks';
import { OpenApiModule } from '@app/openapi';
import { RedisModule } from '@app/queues';
import { TasksHttpModule, TasksModule } from '@app/tasks';
import { WebhooksHttpModule } from '@app/webhooks';
import { HealthController } from './health/health.controller';
import { MetricsHttpModule } from './metrics/metrics-http.module';
import { ManagerModule } from './manager/manager.module';

/** The HTTP process: the sharing API, the admin API and health checks. */
@Module({})
export class ApiModule {
  static forRoot(config?: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        ClockModule,
        DbModule,
        RedisModule,
        MetricsModule,
        EventsModule,
        ScheduleModule.forRoot(),
        IdentityHttpModule,
        NotebooksHttpModule,
        ExecutionHttpModule,
        TasksModule,
        TasksHttpModule,
        WebhooksHttpModule,
        MetricsHttpModule,
        OpenApiModule,
        ManagerModule,
      ],
      controllers: [HealthController],
    };
  }
}
