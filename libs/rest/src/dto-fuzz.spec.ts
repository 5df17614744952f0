import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { ZodType } from 'zod';
import { DomainError } from './domain-error';
import { parseParams } from './params';

/**
 * Every request schema of every lib (each export of libs/*\/src/dto/*.ts that is a zod schema): whatever
 * arrives, parsing either succeeds or throws a DomainError (a 400), never anything else (a 500).
 */
const libs = join(__dirname, '..', '..');
const schemas: Array<[string, ZodType]> = [];
for (const lib of readdirSync(libs)) {
  let files: string[] = [];
  try {
    files = readdirSync(join(libs, lib, 'src', 'dto')).filter((f) => f.endsWith('.dto.ts'));
  } catch {
    continue;
  }
  for (const f of files) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(join(libs, lib, 'src', 'dto', f)) as Record<string, unknown>;
    for (const [name, v] of Object.entries(mod)) if (v instanceof ZodType) schemas.push([`${lib}/${f}#${name}`, v]);
  }
}

const hostileString = fc.oneof(
  fc.string(),
  fc.fullUnicodeString(),
  fc.constantFrom('\u0000', '1e20', '2147483648', '-0', 'NaN', 'Infinity', '__proto__', 'constructor', '{"constructor":1}', '{"x":"\\u0000"}', '[]', 'null', 'true', ''),
  fc.integer().map(String),
  fc.double().map(String),
  fc.json(),
);
const value = fc.oneof(hostileString, fc.double(), fc.bigInt().map((b) => Number(b)), fc.boolean(), fc.constant(null), fc.array(hostileString, { maxLength: 3 }), fc.jsonValue());

describe('every DTO, property-based (fast-check)', () => {
  it('finds the DTOs', () => expect(schemas.length).toBeGreaterThan(10));

  it.each(schemas)('%s: any input parses or is a DomainError', (_name, schema) => {
    const keys = Object.keys((schema as unknown as { shape?: Record<string, unknown> }).shape ?? {});
    const input = fc.dictionary(keys.length ? fc.oneof(fc.constantFrom(...keys), fc.string()) : fc.string(), value, { maxKeys: 12 });
    fc.assert(
      fc.property(fc.oneof(input, value), (inp) => {
        try {
          parseParams(schema, inp);
        } catch (e) {
          if (!(e instanceof DomainError)) throw e;
        }
      }),
      { numRuns: 300 },
    );
  });
});
