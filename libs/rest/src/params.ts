import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import { z, ZodTypeAny } from 'zod';
import { DomainError } from './domain-error';
import { nulError, nulField } from './reject-nul.middleware';

/**
 * Parameters arrive as query strings, urlencoded or multipart forms, or JSON bodies.
 * Merges them (body wins) and validates with a zod schema; a failure names each bad field.
 */
export const Params =
  (schema: ZodTypeAny): ParameterDecorator =>
  (target, key, index) => {
    // Also kept on the handler, so the OpenAPI document is generated from the schema routes validate with.
    if (key !== undefined) Reflect.defineMetadata(PARAMS_SCHEMA, schema, (target as Record<string | symbol, object>)[key]);
    ParamsOf({ schema })(target, key, index);
  };

/** Route metadata: the zod schema of a handler's `@Params`. */
export const PARAMS_SCHEMA = 'nba:params-schema';
/** Route metadata: what a handler answers with on success (`@Returns`, `@ReturnsMedia`), for the OpenAPI document. */
export const RETURNS_SCHEMA = 'nba:returns-schema';

/** A route's success answer: JSON of a zod schema, or another media type; `redirect`: it may answer 302 instead. */
export interface ReturnsSpec {
  mediaType: string;
  schema?: ZodTypeAny;
  description: string;
  /** The success status, where the route sets it itself (`@Res()`), e.g. 202. */
  status?: number;
  redirect?: boolean;
  /** Other statuses answered in the same shape (e.g. `/ready`'s 503). */
  alsoStatuses?: number[];
  /** The route never succeeds: it answers this status in the error format (`@Refuses`). */
  refused?: boolean;
}
type ReturnsOptions = Partial<Pick<ReturnsSpec, 'status' | 'redirect' | 'alsoStatuses' | 'description'>>;

/** Declares the JSON a route answers with on success (documentation; the openapi test checks real answers against it). */
export const Returns = (schema: ZodTypeAny, opts: ReturnsOptions = {}) =>
  SetMetadata(RETURNS_SCHEMA, { mediaType: 'application/json', schema, description: 'Success', ...opts } satisfies ReturnsSpec);

/** Declares a route kept only to refuse a call in the error format, with this status (e.g. 405 for a GET of a POST route). */
export const Refuses = (status: number, description: string) =>
  SetMetadata(RETURNS_SCHEMA, { mediaType: 'application/json', description, status, refused: true } satisfies ReturnsSpec);

/** Declares a route that answers with something other than JSON (HTML, a file, server-sent events, Prometheus text). */
export const ReturnsMedia = (mediaType: string, description: string, opts: ReturnsOptions & { schema?: ZodTypeAny } = {}) =>
  SetMetadata(RETURNS_SCHEMA, { mediaType, description, ...opts } satisfies ReturnsSpec);

/** zJson schemas: a JSON value that a form sends as a string (the OpenAPI document says so). */
export const JSON_FIELDS = new WeakSet<object>();

// Nest takes any argument with a `transform` method for a pipe, and zod schemas have one: wrap it.
const ParamsOf = createParamDecorator(({ schema }: { schema: ZodTypeAny }, ctx: ExecutionContext) => {
  const req = ctx.switchToHttp().getRequest<Request>();
  const body = req.body && typeof req.body === 'object' && !Buffer.isBuffer(req.body) ? req.body : {};
  return parseParams(schema, { ...req.query, ...body });
});

export function parseParams<S extends ZodTypeAny>(schema: S, input: unknown): z.infer<S> {
  const nul = nulField(input, '');
  if (nul) throw nulError(nul);
  const parsed = schema.safeParse(input);
  if (parsed.success) {
    // JSON fields (e.g. notebookParameters) may spell one as \u0000.
    const inJson = nulField(parsed.data, '');
    if (inJson) throw nulError(inJson);
    return parsed.data;
  }
  const details = parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${messageOf(i)}`);
  throw DomainError.invalid('INVALID_PARAMETERS', `Invalid parameters: ${details.join('; ')}`, details);
}

/**
 * zod's default enum message quotes the value received, which may be anything a client sent: name the options only.
 * A schema's own message (an errorMap) is kept.
 */
function messageOf(i: z.ZodIssue): string {
  const zodDefault = i.code === z.ZodIssueCode.invalid_enum_value && i.message.startsWith('Invalid enum value');
  return zodDefault ? `must be one of ${i.options.map(String).join(', ')}` : i.message;
}

const emptyToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);

/** `true`/`false` as a boolean or the strings forms send (the ArcGIS API for Python may send `True`/`False`). */
export const zBool = z.preprocess(
  (v) => (v === 'true' || v === 'True' ? true : v === 'false' || v === 'False' ? false : emptyToUndefined(v)),
  z.boolean({ invalid_type_error: 'must be true or false' }),
);

/** An integer from a number or a numeric string; beyond ±2^53 it is not exact, so it is refused. */
export const zInt = z.preprocess((v) => {
  v = emptyToUndefined(v);
  return typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
}, z.number({ invalid_type_error: 'must be an integer' }).int('must be an integer').safe('must be an integer between -9007199254740991 and 9007199254740991'));

/** A number from a number or a numeric string. */
export const zNumber = z.preprocess((v) => {
  v = emptyToUndefined(v);
  return typeof v === 'string' && v.trim() !== '' && !isNaN(Number(v)) ? Number(v) : v;
}, z.number({ invalid_type_error: 'must be a number' }).finite('must be a finite number'));

/** A JSON value sent either as an object or as a JSON string inside a form field. */
export function zJson<S extends ZodTypeAny>(inner: S) {
  const schema = z.preprocess((v, ctx) => {
    v = emptyToUndefined(v);
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v);
    } catch {
      // fatal: otherwise zod still checks the inner schema and adds its own, misleading issues
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be valid JSON', fatal: true });
      return z.NEVER;
    }
  }, inner);
  JSON_FIELDS.add(schema._def);
  return schema;
}

/** A comma-separated list (or an array). */
export const zCsv = z.preprocess((v) => {
  v = emptyToUndefined(v);
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  return v;
}, z.array(z.string()));

/** Paging of the sharing API: `start` is 1-based. */
export const pagingSchema = z.object({
  start: zInt.pipe(z.number().min(1)).optional().default(1),
  num: zInt.pipe(z.number().min(0).max(10000)).optional().default(10),
});

export function page<T>(all: { total: number; rows: T[] }, start: number, num: number) {
  const nextStart = start + all.rows.length <= all.total && all.rows.length > 0 && start - 1 + num < all.total ? start + num : -1;
  return { total: all.total, start, num, nextStart };
}
