import { Module } from '@nestjs/common';
import { IdentityModule } from '@app/identity';
import { NotebooksModule } from '@app/notebooks';
import { ContainersService } from './containers.service';
import { ExecutionHousekeeping } from './execution-housekeeping.service';
import { JobsController } from './jobs.controller';
import { NotebooksAdminController } from './notebooks-admin.controller';
import { RunExecutor } from './run-executor';
import { RunHooks } from './run-hooks';
import { RunProcessor } from './run.processor';
import { RunQueue } from './run-queue';
import { RunsRepository } from './runs.repository';
import { RunsService } from './runs.service';
import { ServerRootController } from './server-root.controller';
import { SystemController } from './system.controller';
import { SystemPropertiesService } from './system-properties.service';
import { WarmPool } from './warm-pool';

/** What every process needs to create and read runs. */
@Module({
  imports: [IdentityModule, NotebooksModule],
  providers: [RunsRepository, RunQueue, RunsService, SystemPropertiesService, RunHooks],
  exports: [RunsRepository, RunQueue, RunsService, SystemPropertiesService, RunHooks],
})
export class ExecutionModule {}

/** The admin API of runs: executeNotebook, jobs, properties, machines. */
@Module({
  imports: [ExecutionModule, IdentityModule, NotebooksModule],
  controllers: [NotebooksAdminController, JobsController, SystemController, ServerRootController],
})
export class ExecutionHttpModule {}

/** A worker node: containers, the queue consumer, the warm pool and the site checks. */
@Module({
  imports: [ExecutionModule, IdentityModule, NotebooksModule],
  providers: [ContainersService, WarmPool, RunExecutor, RunProcessor, ExecutionHousekeeping],
  exports: [ContainersService, RunProcessor],
})
export class ExecutionWorkerModule {}
