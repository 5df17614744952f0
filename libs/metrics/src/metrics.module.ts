import { Global, Module } from '@nestjs/common';
import { DbPoolGauge } from './db-pool.gauge';
import { Metrics } from './metrics.service';

/** The process's metrics, injectable everywhere (each app imports this module once). */
@Global()
@Module({
  providers: [Metrics, DbPoolGauge],
  exports: [Metrics],
})
export class MetricsModule {}
