import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module } from '@nestjs/common';
import type { Request } from 'express';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { APP_CONFIG, AppConfig } from '@app/config';
import { routeOf } from '@app/rest';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Anything that could carry a credential, wherever pino finds it. */
export const REDACT = [
  'req.headers.authorization',
  'req.headers["x-esri-authorization"]',
  'req.headers.cookie',
  'req.headers.secret',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.secret',
];

type Req = IncomingMessage & { id?: unknown; principal?: { username?: string } };

/**
 * Logs as JSON lines through pino (nestjs-pino): Nest's own logger, and one line per HTTP request with method,
 * route pattern, status, ms, user and request id. The path is logged without its query string (it may hold a
 * `token`), and headers are not logged at all. LOG_LEVEL; LOG_FORMAT=pretty for development; LOG_FILE to append to
 * a file instead of stdout.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.log.level,
          ...(config.log.format === 'pretty'
            ? { transport: { target: 'pino-pretty', options: { singleLine: true, colorize: true, ...(config.log.file ? { destination: config.log.file, mkdir: true, colorize: false } : {}) } } }
            : config.log.file
              ? { stream: pino.destination({ dest: config.log.file, mkdir: true, append: true, sync: true }) }
              : {}),
          base: { pid: process.pid, node: config.nodeName },
          redact: { paths: REDACT, censor: '[redacted]' },
          genReqId: (req: IncomingMessage, res: ServerResponse) => {
            const given = req.headers['x-request-id'];
            const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
            res.setHeader('x-request-id', id);
            return id;
          },
          serializers: {
            req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, path: String(req.url).split('?')[0] }),
            res: (res: { statusCode: number }) => ({ status: res.statusCode }),
          },
          customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
          customSuccessMessage: (req: IncomingMessage, res: ServerResponse, ms: number) => `${req.method} ${routeOf(req as Request)} ${res.statusCode} ${Math.round(ms)}ms`,
          customErrorMessage: (req: IncomingMessage, res: ServerResponse) => `${req.method} ${routeOf(req as Request)} ${res.statusCode}`,
          customSuccessObject: (req: IncomingMessage, res: ServerResponse, val: Record<string, unknown>) => requestFields(req as Req, res, val),
          customErrorObject: (req: IncomingMessage, res: ServerResponse, _err: Error, val: Record<string, unknown>) => requestFields(req as Req, res, val),
        },
      }),
    }),
  ],
})
export class LoggingModule {}

function requestFields(req: Req, res: ServerResponse, val: Record<string, unknown>) {
  return {
    ...val,
    reqId: req.id,
    method: req.method,
    route: routeOf(req as unknown as Request),
    status: res.statusCode,
    ms: val.responseTime,
    user: req.principal?.username ?? null,
  };
}
