import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { OpenApiController } from './openapi.controller';
import { OpenApiGenerator } from './openapi.generator';

/** `/api/openapi.json` and `/api/docs`, generated from the routes of the application that imports it. */
@Module({
  imports: [DiscoveryModule],
  controllers: [OpenApiController],
  providers: [OpenApiGenerator],
  exports: [OpenApiGenerator],
})
export class OpenApiModule {}
