/** What went wrong, independent of HTTP; the exception filter maps each kind to a status. */
export type ErrorKind =
  | 'invalid'
  | 'token_required'
  | 'invalid_token'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'too_large'
  | 'too_many'
  | 'unavailable';

export const HTTP_STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  token_required: 401,
  invalid_token: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  too_large: 413,
  too_many: 429,
  unavailable: 503,
};

/** The `error.code` clients see: ArcGIS clients refresh tokens on 498 and prompt for one on 499. */
export const ERROR_CODE: Record<ErrorKind, number> = { ...HTTP_STATUS, token_required: 499, invalid_token: 498 };

/**
 * An expected failure with a stable code (`messageCode`) clients can branch on.
 * Anything thrown that is not a DomainError is a bug and is logged with an id.
 */
export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly messageCode: string,
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }

  /** Seconds the client should wait (the `Retry-After` header); 503s get a default. */
  retryAfterSeconds?: number;

  withRetryAfter(seconds: number): this {
    this.retryAfterSeconds = seconds;
    return this;
  }

  static invalid(code: string, message: string, details: string[] = []) {
    return new DomainError('invalid', code, message, details);
  }
  static notFound(what: string, id: string) {
    return new DomainError('not_found', 'NOT_FOUND', `${what} '${id}' does not exist or is inaccessible.`);
  }
  static forbidden(message = 'You do not have permissions to access this resource or perform this operation.') {
    return new DomainError('forbidden', 'FORBIDDEN', message);
  }
  static conflict(code: string, message: string) {
    return new DomainError('conflict', code, message);
  }
}
