import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { findManagerDir, managerStatic } from './manager-static';

/**
 * The Manager web app, served as static files by the api at /arcgis/manager/ (it talks to the public REST API
 * like any client). A middleware rather than a controller: these are files, not API routes.
 */
@Module({})
export class ManagerModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(managerStatic(findManagerDir())).forRoutes({ path: '{*path}', method: RequestMethod.GET }, { path: '{*path}', method: RequestMethod.HEAD });
  }
}
