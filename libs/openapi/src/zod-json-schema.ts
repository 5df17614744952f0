import type { ZodTypeAny } from 'zod';
import { ignoreOverride, zodToJsonSchema } from 'zod-to-json-schema';
import { JSON_FIELDS } from '@app/rest';

export type JsonSchema = Record<string, unknown>;

/**
 * A zod schema as JSON Schema (2020-12 dialect, as OpenAPI 3.1 uses), describing what a client sends: coercions and
 * preprocessing are described by their input. A zJson field is either the JSON value itself or, in a form, a string
 * holding it.
 */
export function toJsonSchema(schema: ZodTypeAny): JsonSchema {
  // Typed loosely: zod-to-json-schema's generics recurse too deep on our schemas.
  const convert = zodToJsonSchema as unknown as (s: ZodTypeAny, o: Record<string, unknown>) => JsonSchema;
  const out = convert(schema, {
    target: 'jsonSchema2019-09',
    $refStrategy: 'none',
    effectStrategy: 'input',
    override: (def: object) => {
      if (!JSON_FIELDS.has(def)) return ignoreOverride;
      const inner = toJsonSchema((def as unknown as { schema: ZodTypeAny }).schema);
      return { anyOf: [inner, { type: 'string', contentMediaType: 'application/json', description: 'the same value as a JSON string (form fields)' }] };
    },
  });
  delete out.$schema;
  return out;
}
