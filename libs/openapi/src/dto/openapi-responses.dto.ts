import { z } from 'zod';

/** The OpenAPI document itself (its schema is OpenAPI 3.1's own; the test validates it against that). */
export const OpenApiDocumentJson = z
  .object({ openapi: z.literal('3.1.0'), info: z.object({ title: z.string(), version: z.string() }).passthrough(), paths: z.record(z.unknown()) })
  .passthrough();
