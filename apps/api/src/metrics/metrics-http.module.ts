import { Module } from '@nestjs/common';
import { IdentityModule } from '@app/identity';
import { QueueDepthsGauge } from '@app/metrics';
import { MetricsController } from './metrics.controller';

/** The api's `GET /metrics`; queue depths are site-wide, so the api (not each worker) reports them. */
@Module({
  imports: [IdentityModule],
  controllers: [MetricsController],
  providers: [QueueDepthsGauge],
})
export class MetricsHttpModule {}
