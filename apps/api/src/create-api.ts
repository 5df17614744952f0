import { INestApplication, Logger, NestApplicationOptions } from '@nestjs/common';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppConfig } from '@app/config';
import { httpMetrics, Metrics } from '@app/metrics';
import { bodyParseErrors, collapseSlashes, pjsonMiddleware, postAsGet, publicUrlMiddleware, rejectNulBytes, RequestDeadlineInterceptor, RestExceptionFilter } from '@app/rest';
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
  app.use(collapseSlashes);
  app.useBodyParser('json', { limit });
  app.useBodyParser('urlencoded', { extended: true, limit });
  app.use(bodyParseErrors);
  app.use(rejectNulBytes);
  app.use(pjsonMiddleware);
  app.use(publicUrlMiddleware({ http: config.http.publicUrl, https: config.http.https }));
  app.use(postAsGet(app.getHttpAdapter().getInstance()));
  app.useGlobalFilters(new RestExceptionFilter());
  app.useGlobalInterceptors(new RequestDeadlineInterceptor());
  app.set('trust proxy', true);
  app.enableShutdownHooks();
  return app;
}

export const apiLogger = new Logger('Api');

/**
 * Starts listening: plain HTTP on PORT, and HTTPS on HTTPS_PORT when a certificate is configured (the same
 * application answers both). Answers the addresses and the certificate's SHA-256 fingerprint.
 */
export async function listenApi(
  app: INestApplication,
  config: AppConfig,
): Promise<{ http: string; https?: string; fingerprint?: string }> {
  await app.listen(config.http.port, config.http.host);
  const httpPort = (app.getHttpServer().address() as AddressInfo).port;
  const out: { http: string; https?: string; fingerprint?: string } = { http: `http://${config.http.host}:${httpPort}` };
  const tls = config.http.https;
  if (!tls) return out;
  const cert = readFileSync(tls.certFile);
  const server: Server = createServer({ cert, key: readFileSync(tls.keyFile) }, app.getHttpAdapter().getInstance());
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(tls.port, config.http.host, resolve));
  // Close with the app (shutdown hooks, tests): Nest only knows its own HTTP server.
  app.getHttpServer().once('close', () => server.close());
  out.https = `https://${config.http.host}:${(server.address() as AddressInfo).port}`;
  out.fingerprint = new X509Certificate(cert).fingerprint256;
  return out;
}
