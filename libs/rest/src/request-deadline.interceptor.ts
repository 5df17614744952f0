import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable, throwError, timeout } from 'rxjs';
import { DomainError } from './domain-error';

/** How long a request may take on the server before it gets 503: Redis or Postgres not answering must not hang clients. */
export const REQUEST_DEADLINE_MS = 10_000;

/** Every route: no answer within the deadline → 503 with Retry-After (the filter adds it). */
@Injectable()
export class RequestDeadlineInterceptor implements NestInterceptor {
  constructor(private readonly ms = REQUEST_DEADLINE_MS) {}

  intercept(_ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      timeout({
        first: this.ms,
        with: () => throwError(() => new DomainError('unavailable', 'DEADLINE_EXCEEDED', `The server could not answer within ${this.ms / 1000} s; try again shortly.`)),
      }),
    );
  }
}
