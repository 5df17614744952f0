import { Module } from '@nestjs/common';
import { IdentityModule } from '@app/identity';
import { RuntimesController } from './runtimes.controller';
import { RuntimesService } from './runtimes.service';

/** The site's runtimes, for every process (runs resolve theirs here; workers report images and manifests). */
@Module({
  providers: [RuntimesService],
  exports: [RuntimesService],
})
export class RuntimesModule {}

/** The runtimes admin API. */
@Module({
  imports: [RuntimesModule, IdentityModule],
  controllers: [RuntimesController],
})
export class RuntimesHttpModule {}
