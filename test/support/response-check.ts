import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import type { Request } from 'express';
import { Observable, tap } from 'rxjs';
import { toJsonSchema } from '@app/openapi';
import { RETURNS_SCHEMA, ReturnsSpec } from '@app/rest';
import { runLogDir } from './test-logs';

/** Where the answers that did not match their route's declared schema are recorded, for test/response-check.e2e-spec.ts. */
export const MISMATCHES_FILE = 'response-mismatches.jsonl';

/**
 * Test-only: checks every JSON answer an in-process api gives, in every test of the run, against the schema its route
 * declares (`@Returns`, as the OpenAPI document shows it). It never changes or fails an answer; a mismatch is
 * recorded in the run's log directory, and the run's last test file fails on it.
 */
export class ResponseCheck implements NestInterceptor {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly validators = new WeakMap<object, ValidateFunction>();

  constructor(private readonly dir: string) {}

  /** Installed when the tests run under jest (a run directory exists). */
  static forRun(): ResponseCheck | null {
    const dir = runLogDir();
    return dir ? new ResponseCheck(dir) : null;
  }

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const spec = Reflect.getMetadata(RETURNS_SCHEMA, ctx.getHandler()) as ReturnsSpec | undefined;
    if (!spec?.schema || spec.mediaType !== 'application/json' || ctx.getType() !== 'http') return next.handle();
    return next.handle().pipe(tap((value) => value !== undefined && this.check(ctx, spec, value)));
  }

  private check(ctx: ExecutionContext, spec: ReturnsSpec, value: unknown): void {
    const handler = ctx.getHandler();
    let validate = this.validators.get(handler);
    if (!validate) this.validators.set(handler, (validate = this.ajv.compile(toJsonSchema(spec.schema!))));
    // As it goes out: dates and the like as JSON has them; a string is JSON text already (an item's data).
    let body: unknown;
    try {
      body = typeof value === 'string' ? JSON.parse(value) : JSON.parse(JSON.stringify(value));
    } catch {
      body = value;
    }
    if (validate(body)) return;
    const req = ctx.switchToHttp().getRequest<Request>();
    const route = `${req.method} ${(req.route as { path?: string } | undefined)?.path ?? '?'}`;
    const line = { route, test: (globalThis as { expect?: { getState(): { currentTestName?: string } } }).expect?.getState().currentTestName ?? '', errors: this.ajv.errorsText(validate.errors), body: JSON.stringify(body).slice(0, 500) };
    appendFileSync(join(this.dir, MISMATCHES_FILE), `${JSON.stringify(line)}\n`);
  }
}
