import { Module } from '@nestjs/common';
import { IdentityModule } from '@app/identity';
import { NotebooksModule } from '@app/notebooks';
import { RuntimesModule } from '@app/runtimes';
import { ExecutionHousekeeping } from './execution-housekeeping.service';
import { JobsController } from './jobs.controller';
import { NotebooksAdminController } from './notebooks-admin.controller';
import { WorkerNodeService } from './nodes/worker-node.service';
import { RunExecutor } from './run-executor';
import { RunEventsStream } from './progress/run-events.stream';
import { RunProgress } from './progress/run-progress';
import { RunFinisher } from './run-finisher';
import { RunHooks } from './run-hooks';
import { RunProcessor } from './run.processor';
import { RunQueue } from './run-queue';
import { RunsRepository } from './runs.repository';
import { DockerRunnerBackend } from './runner-backend/docker/docker-runner-backend';
import { DockerHtmlExporter } from './runner-backend/docker/docker-html-exporter';
import { HtmlExporter } from './runner-backend/html-exporter';
import { RunnerBackend } from './runner-backend/runner-backend';
import { RunsService } from './runs.service';
import { ServerRootController } from './server-root.controller';
import { SystemController } from './system.controller';
import { SystemPropertiesService } from './system-properties.service';
import { PortalRelay } from './portal/portal-relay';
import { RuntimeImages } from './runtimes/runtime-images';
import { RuntimeManifestReader } from './runtimes/runtime-manifest-reader';
import { RuntimesController } from './runtimes/runtimes.controller';
import { RunSnapshots } from './snapshot/run-snapshots';
import { WarmPool } from './warm-pool';

/** What every process needs to create and read runs. */
@Module({
  imports: [IdentityModule, NotebooksModule, RuntimesModule],
  providers: [RunsRepository, RunQueue, RunsService, SystemPropertiesService, RunHooks, RunFinisher, RunProgress],
  exports: [RunsRepository, RunQueue, RunsService, SystemPropertiesService, RunHooks, RunFinisher, RunProgress, RuntimesModule],
})
export class ExecutionModule {}

/** The admin API of runs: executeNotebook, jobs, properties, machines, runtimes. */
@Module({
  imports: [ExecutionModule, IdentityModule, NotebooksModule],
  controllers: [NotebooksAdminController, JobsController, SystemController, RuntimesController, ServerRootController],
  providers: [RuntimeImages, RunEventsStream],
})
export class ExecutionHttpModule {}

/** A worker node: the runner backend (Docker), its HTML exporter, the queue consumer, the warm pool, the node's life cycle and the site checks. */
@Module({
  imports: [ExecutionModule, IdentityModule, NotebooksModule],
  providers: [
    DockerRunnerBackend,
    { provide: RunnerBackend, useExisting: DockerRunnerBackend },
    { provide: HtmlExporter, useClass: DockerHtmlExporter },
    RunSnapshots,
    WarmPool,
    RunExecutor,
    RunProcessor,
    WorkerNodeService,
    ExecutionHousekeeping,
    RuntimeManifestReader,
    PortalRelay,
  ],
  exports: [RunnerBackend, HtmlExporter, RunProcessor],
})
export class ExecutionWorkerModule {}
