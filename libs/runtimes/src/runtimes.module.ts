import { Module } from '@nestjs/common';
import { RuntimesService } from './runtimes.service';

/** The site's runtimes, for every process (runs resolve theirs here; the admin API lives with execution). */
@Module({
  providers: [RuntimesService],
  exports: [RuntimesService],
})
export class RuntimesModule {}
