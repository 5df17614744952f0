import { INestApplication, Logger, NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppConfig } from '@app/config';
import { httpMetrics, Metrics } from '@app/metrics';
import { bodyParseErrors, pjsonMiddleware, rejectNulBytes, RequestDeadlineInterceptor, RestExceptionFilter } from '@app/rest';
import { ApiModule } from './api.module';

/** Builds the api application (used by main.ts and by the tests). */
export async function createApi(config: AppConfig, opts: { logger?: false } = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), apiAppOptions(opts));
  // Nest's own messages go to pino as JSON lines too (libs/logging).
  if (opts.logger !== false) app.useLogger(app.get(PinoLogger));
  return configureApi(app, config);
}

/** Options for creating the api application; tests pass them to a testing module's `createNestApplication`. */
export function apiAppOptions(opts: { logger?: false } = {}): NestApplicationOptions {
  return { bodyParser: false, rawBody: true, logger: opts.logger === false ? false : undefined, bufferLogs: opts.logger !== false };
}

/** Body parsers, `f=pjson`, the error format: everything the api needs beyond its module. */
export function configureApi(app: NestExpressApplication, config: AppConfig): NestExpressApplication {
  // Forms carry whole notebooks in their `text` field, so the body limit follows the notebook limit.
  const limit = config.limits.maxNotebookBytes + 64 * 1024;
  app.use(httpMetrics(app.get(Metrics)));
  app.useBodyParser('json', { limit });
  app.useBodyParser('urlencoded', { extended: true, limit });
  app.use(bodyParseErrors);
  app.use(rejectNulBytes);
  app.use(pjsonMiddleware);
  app.useGlobalFilters(new RestExceptionFilter());
  app.useGlobalInterceptors(new RequestDeadlineInterceptor());
  app.set('trust proxy', true);
  app.enableShutdownHooks();
  return app;
}

export const apiLogger = new Logger('Api');
