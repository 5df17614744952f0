import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { isDbUnavailable } from '@app/db';
import { DomainError, ERROR_CODE, HTTP_STATUS } from './domain-error';

/** Seconds a client is asked to wait after a 503 (a dependency not answering, or the request deadline). */
const RETRY_AFTER_SECONDS = 5;

interface ErrorBody {
  error: { code: number; messageCode: string; message: string; details: string[] };
}

/** messageCodes of the framework's own HTTP errors (unknown route, multer limits, ...). */
const HTTP_MESSAGE_CODE: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/** The messages of framework errors: fixed, so that nothing of the request is echoed. */
const HTTP_MESSAGE: Record<number, string> = {
  400: 'Bad request.',
  401: 'Unauthorized.',
  403: 'Forbidden.',
  404: 'Resource does not exist or is inaccessible.',
  405: 'Method not supported by this operation.',
  413: 'Request body is too large.',
  415: 'Unsupported media type.',
};

/**
 * Express error middleware, installed right after the body parsers: Nest turns a body that is not
 * valid JSON into a bare BadRequestException before any filter sees it, so name it here instead.
 */
export function bodyParseErrors(err: unknown, _req: Request, _res: Response, next: NextFunction): void {
  const e = err as { type?: string; message?: string } | undefined;
  if (e?.type === 'entity.parse.failed') {
    // The parser's message quotes the body, which may hold a password: say only what is wrong.
    return next(DomainError.invalid('BAD_JSON', 'Request body is not valid JSON.'));
  }
  next(err);
}

/** Maps every error to the ArcGIS REST error JSON; logs unexpected ones with an id the client also sees. */
@Catch()
export class RestExceptionFilter implements ExceptionFilter {
  private readonly log = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const [status, body] = this.toBody(exception);
    if (res.headersSent) return;
    const retryAfter = exception instanceof DomainError ? exception.retryAfterSeconds : undefined;
    if (retryAfter !== undefined || status === 503) res.setHeader('Retry-After', String(retryAfter ?? RETRY_AFTER_SECONDS));
    res.status(status).json(body);
  }

  private toBody(e: unknown): [number, ErrorBody] {
    if (e instanceof DomainError) {
      return [
        HTTP_STATUS[e.kind],
        { error: { code: ERROR_CODE[e.kind], messageCode: e.messageCode, message: e.message, details: e.details } },
      ];
    }
    if (e instanceof HttpException) {
      // Framework errors (unknown route, method not allowed, multer limits). Their messages quote the request URL,
      // query string and all ("Cannot GET /x?password=..."): answer a fixed text per status instead.
      const status = e.getStatus();
      const messageCode = HTTP_MESSAGE_CODE[status] ?? `HTTP_${status}`;
      return [status, { error: { code: status, messageCode, message: HTTP_MESSAGE[status] ?? 'Request failed.', details: [] } }];
    }
    const status = (e as { status?: number; type?: string })?.status;
    if (status === 413) {
      return [413, { error: { code: 413, messageCode: 'TOO_LARGE', message: 'Request body is too large.', details: [] } }];
    }
    if (isDbUnavailable(e)) {
      this.log.warn(`database unavailable: ${(e as Error).message}`);
      return [503, { error: { code: 503, messageCode: 'DATABASE_UNAVAILABLE', message: 'The database is not answering; try again shortly.', details: [] } }];
    }
    const id = randomUUID();
    this.log.error(`unexpected error ${id}: ${(e as Error)?.stack ?? String(e)}`);
    return [500, { error: { code: 500, messageCode: 'INTERNAL_ERROR', message: `Internal server error (id ${id}).`, details: [] } }];
  }
}
