import { Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { Clock } from '@app/clock';
import { APP_CONFIG, AppConfig } from '@app/config';
import { WorkerNodeEntity } from '@app/db';
import { CurrentUser, Principal, requireAdmin } from '@app/identity';
import { DomainError, Params } from '@app/rest';
import { UpdatePropertiesDto } from './dto/execute-notebook.dto';
import { SystemPropertiesService } from './system-properties.service';

/** A node whose heartbeat is older than this many heartbeats is considered down. */
const MISSED_BEATS = 3;

@Controller('arcgis/admin')
export class SystemController {
  constructor(
    private readonly props: SystemPropertiesService,
    private readonly clock: Clock,
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('system/properties')
  async properties(@CurrentUser() p: Principal) {
    requireAdmin(p);
    return this.props.getAll();
  }

  @Post('system/properties/update')
  @HttpCode(200)
  async update(@CurrentUser() p: Principal, @Params(UpdatePropertiesDto) dto: z.infer<typeof UpdatePropertiesDto>) {
    requireAdmin(p);
    // `status` is what the ArcGIS API for Python checks; the properties follow for everyone else.
    return { status: 'success', ...(await this.props.update(dto.properties)) };
  }

  @Get('machines')
  async machines(@CurrentUser() p: Principal) {
    requireAdmin(p);
    const nodes = await this.ds.manager.find(WorkerNodeEntity, { order: { name: 'ASC' } });
    return { machines: nodes.map((n) => this.view(n)) };
  }

  @Get('machines/:name')
  async machine(@CurrentUser() p: Principal, @Param('name') name: string) {
    requireAdmin(p);
    const n = await this.ds.manager.findOneBy(WorkerNodeEntity, { name });
    if (!n) throw DomainError.notFound('Machine', name);
    return this.view(n);
  }

  @Get('machines/:name/status')
  status(@CurrentUser() p: Principal, @Param('name') name: string) {
    return this.machine(p, name);
  }

  private view(n: WorkerNodeEntity) {
    const ageMs = this.clock.nowMs() - n.lastHeartbeat.getTime();
    const alive = ageMs < MISSED_BEATS * 1000 * this.config.execution.heartbeatSeconds;
    return {
      machineName: n.name,
      healthcheck: alive,
      canProvisionExecuteNotebooks: alive && n.dockerOk && n.running < n.cap,
      maxExecuteNotebookContainersPerNode: n.cap,
      runsInProgress: n.running,
      warmContainers: n.warmContainers,
      dockerAvailable: n.dockerOk,
      lastHeartbeat: n.lastHeartbeat.getTime(),
      startedAt: n.startedAt.getTime(),
    };
  }
}
