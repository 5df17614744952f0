import { Inject, Injectable, RequestMethod } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { ZodTypeAny } from 'zod';
import { APP_CONFIG, AppConfig } from '@app/config';
import { IS_PUBLIC } from '@app/identity';
import { PARAMS_SCHEMA, RETURNS_SCHEMA, ReturnsSpec } from '@app/rest';
import { JsonSchema, toJsonSchema } from './zod-json-schema';

/** One route as Nest registered it. */
export interface RouteInfo {
  method: string;
  /** Express form: `/sharing/rest/community/users/:username/tasks`. */
  path: string;
  controller: string;
  handler: string;
  params?: ZodTypeAny;
  returns?: ReturnsSpec;
  isPublic: boolean;
  status: number;
}

const METHODS: Partial<Record<RequestMethod, string>> = {
  [RequestMethod.GET]: 'get',
  [RequestMethod.POST]: 'post',
  [RequestMethod.PUT]: 'put',
  [RequestMethod.DELETE]: 'delete',
  [RequestMethod.PATCH]: 'patch',
  [RequestMethod.HEAD]: 'head',
  [RequestMethod.OPTIONS]: 'options',
};

/** Routes whose upload middleware also takes multipart forms (a notebook `file`). */
const MULTIPART = /\/addItem$|\/items\/\{id\}\/update$/;

const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'integer', description: 'the HTTP status; 498 invalid token, 499 token required' },
        messageCode: { type: 'string', description: 'a stable code to branch on (e.g. INVALID_PARAMETERS, NOT_FOUND, TASK_RUN_IN_PROGRESS)' },
        message: { type: 'string' },
        details: { type: 'array', items: { type: 'string' } },
      },
    },
  },
};

/**
 * The OpenAPI 3.1 document of every route Nest registered, from the zod schemas routes validate with (`@Params`)
 * and declare they answer with (`@Returns`). Nothing is kept by hand: a new controller appears as it is added.
 */
@Injectable()
export class OpenApiGenerator {
  private cached?: Record<string, unknown>;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  routes(): RouteInfo[] {
    const out: RouteInfo[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const type = wrapper.metatype as (new (...a: unknown[]) => unknown) | undefined;
      if (!type || !wrapper.instance) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, type) ?? '');
      const proto = Object.getPrototypeOf(wrapper.instance) as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(proto)) {
        const handler = proto[name] as object;
        const sub = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        const method = METHODS[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        if (sub === undefined || !method) continue;
        for (const p of Array.isArray(sub) ? sub : [sub]) {
          out.push({
            method,
            path: joinPath(base, p),
            controller: type.name,
            handler: name,
            params: Reflect.getMetadata(PARAMS_SCHEMA, handler),
            returns: Reflect.getMetadata(RETURNS_SCHEMA, handler),
            isPublic: !!this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [handler as never, type]),
            status: (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ?? (method === 'post' ? 201 : 200),
          });
        }
      }
    }
    return out.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
  }

  document(): Record<string, unknown> {
    return (this.cached ??= this.build());
  }

  private build(): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const r of this.routes()) (paths[openApiPath(r.path)] ??= {})[r.method] = this.operation(r);
    return {
      openapi: '3.1.0',
      info: {
        title: 'Notebook Automation Server',
        version: '0.1.0',
        description:
          'The sharing API and Notebook Server admin API this server implements, plus its own additions. Parameters arrive as query strings, ' +
          'urlencoded or multipart forms, or JSON bodies (merged; the body wins). `f=pjson` pretty-prints.',
      },
      servers: [{ url: this.config.http.publicUrl }],
      security: [{ bearer: [] }, { esriHeader: [] }, { tokenParameter: [] }],
      paths,
      components: {
        schemas: { Error: ERROR_SCHEMA },
        responses: { Error: { description: 'An error in the API error format', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } } },
        parameters: {
          f: { name: 'f', in: 'query', required: false, schema: { type: 'string', enum: ['json', 'pjson', 'html'] }, description: 'response format; pjson pretty-prints' },
        },
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'a token from POST /sharing/rest/generateToken' },
          esriHeader: { type: 'apiKey', in: 'header', name: 'X-Esri-Authorization', description: '`Bearer <token>`' },
          tokenParameter: { type: 'apiKey', in: 'query', name: 'token', description: 'also accepted as a form field' },
        },
      },
    };
  }

  private operation(r: RouteInfo): Record<string, unknown> {
    const schema = r.params ? toJsonSchema(r.params) : null;
    const pathParams = [...r.path.matchAll(/([:*])(\w+)/g)].map((m) => ({
      name: m[2],
      in: 'path',
      required: true,
      schema: { type: 'string' },
      // Express' `*name` takes the rest of the path, slashes included.
      ...(m[1] === '*' ? { description: 'the rest of the path (it may hold slashes)' } : {}),
    }));
    const op: Record<string, unknown> = {
      operationId: `${r.controller.replace(/Controller$/, '')}.${r.handler}`,
      tags: [r.controller.replace(/Controller$/, '')],
      parameters: [...pathParams, { $ref: '#/components/parameters/f' }, ...(r.method === 'get' && schema ? queryParameters(schema) : [])],
      responses: {
        ...successResponses(r),
        '4XX': { $ref: '#/components/responses/Error' },
        '5XX': { $ref: '#/components/responses/Error' },
      },
    };
    if (r.method !== 'get') {
      const body = schema ?? { type: 'object' };
      const content: Record<string, unknown> = { 'application/x-www-form-urlencoded': { schema: body }, 'application/json': { schema: body } };
      if (MULTIPART.test(openApiPath(r.path))) {
        content['multipart/form-data'] = { schema: { allOf: [body, { type: 'object', properties: { file: { type: 'string', contentMediaType: 'application/octet-stream' } } }] } };
      }
      op.requestBody = { required: false, content };
    }
    if (r.isPublic) op.security = [];
    return op;
  }
}

/** The answers a route declares (`@Returns`/`@ReturnsMedia`); a route without one says only that it answers. */
function successResponses(r: RouteInfo): Record<string, unknown> {
  const spec = r.returns;
  if (!spec) return { [String(r.status)]: { description: 'Success (undeclared)', content: { '*/*': { schema: {} } } } };
  if (spec.refused) return { [String(spec.status)]: { description: spec.description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } } };
  const schema = spec.schema ? toJsonSchema(spec.schema) : spec.mediaType.startsWith('text/') ? { type: 'string' } : { type: 'string', contentMediaType: spec.mediaType };
  const answer = { description: spec.description, content: { [spec.mediaType]: { schema } } };
  const out: Record<string, unknown> = { [String(spec.status ?? r.status)]: answer };
  for (const status of spec.alsoStatuses ?? []) out[String(status)] = answer;
  if (spec.redirect) out['302'] = { description: 'A redirect', headers: { Location: { required: true, schema: { type: 'string' } } } };
  return out;
}

function joinPath(base: string, sub: string): string {
  const parts = [base, sub].map((s) => s.replace(/^\/+|\/+$/g, '')).filter(Boolean);
  return `/${parts.join('/')}`;
}

/** `/users/:username` → `/users/{username}`; a wildcard `/files/*name` → `/files/{name}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/[:*](\w+)/g, '{$1}');
}

function queryParameters(schema: JsonSchema): Array<Record<string, unknown>> {
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, s]) => ({
    name,
    in: 'query',
    required: required.has(name),
    schema: s,
    ...(s.description ? { description: s.description } : {}),
  }));
}
