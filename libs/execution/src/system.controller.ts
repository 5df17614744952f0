import { Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { Clock } from '@app/clock';
import { APP_CONFIG, AppConfig } from '@app/config';
import { WorkerNodeEntity } from '@app/db';
import { CurrentUser, Principal, requireAdmin } from '@app/identity';
import { DomainError, Params, Returns } from '@app/rest';
import { RuntimesService } from '@app/runtimes';
import { UpdatePropertiesDto } from './dto/execute-notebook.dto';
import { NodeLiveness } from './nodes/node-liveness';
import { propertyLimits } from './system-properties';
import { SystemPropertiesService } from './system-properties.service';
import { MachineJson, MachinesJson, PropertiesJson, PropertiesUpdatedJson, PropertyLimitsJson } from './dto/system-responses.dto';

@Controller('arcgis/admin')
export class SystemController {
  private readonly liveness: NodeLiveness;

  constructor(
    private readonly props: SystemPropertiesService,
    private readonly runtimes: RuntimesService,
    private readonly clock: Clock,
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.liveness = new NodeLiveness(config.execution.heartbeatSeconds);
  }

  @Returns(PropertiesJson)
  @Get('system/properties')
  async properties(@CurrentUser() p: Principal) {
    requireAdmin(p);
    return this.props.getAll();
  }

  /** Ours: the range of every property, so that a form can check values before it sends them. */
  @Returns(PropertyLimitsJson)
  @Get('system/properties/limits')
  limits(@CurrentUser() p: Principal) {
    requireAdmin(p);
    return { limits: propertyLimits() };
  }

  @Returns(PropertiesUpdatedJson)
  @Post('system/properties/update')
  @HttpCode(200)
  async update(@CurrentUser() p: Principal, @Params(UpdatePropertiesDto) dto: z.infer<typeof UpdatePropertiesDto>) {
    requireAdmin(p);
    // `status` is what the ArcGIS API for Python checks; the properties follow for everyone else.
    return { status: 'success', ...(await this.props.update(dto.properties)) };
  }

  @Returns(MachinesJson)
  @Get('machines')
  async machines(@CurrentUser() p: Principal) {
    requireAdmin(p);
    const nodes = await this.ds.manager.find(WorkerNodeEntity, { order: { name: 'ASC' } });
    return { machines: await Promise.all(nodes.map(async (n) => ({ ...this.view(n), runtimeImagesMissing: await this.runtimes.missingOn(n) }))) };
  }

  @Returns(MachineJson)
  @Get('machines/:name')
  async machine(@CurrentUser() p: Principal, @Param('name') name: string) {
    requireAdmin(p);
    const n = await this.ds.manager.findOneBy(WorkerNodeEntity, { name });
    if (!n) throw DomainError.notFound('Machine', name);
    // A runtime whose image the node lacks cannot run there (nothing is pulled): say which.
    const missing = await this.runtimes.missingOn(n);
    return { ...this.view(n), runtimeImagesMissing: missing, ...(missing.length ? { warning: `This machine lacks the image of runtime(s) ${missing.map((m) => `'${m}'`).join(', ')}.` } : {}) };
  }

  @Returns(MachineJson)
  @Get('machines/:name/status')
  status(@CurrentUser() p: Principal, @Param('name') name: string) {
    return this.machine(p, name);
  }

  private view(n: WorkerNodeEntity) {
    const alive = this.liveness.isUp(n.lastHeartbeat.getTime(), this.clock.nowMs());
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
