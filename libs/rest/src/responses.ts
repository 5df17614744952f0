import { z, ZodRawShape, ZodTypeAny } from 'zod';

/** Response building blocks shared by the routes' `dto/*-responses.dto.ts` (the OpenAPI document's answers). */

/** `{success: true}` and what an operation adds to it. */
export const successWith = <S extends ZodRawShape>(shape: S) => z.object({ success: z.literal(true), ...shape });
export const SuccessJson = successWith({});

/** `{status: "success"}` (the admin API's way) and what an operation adds to it. */
export const statusSuccessWith = <S extends ZodRawShape>(shape: S) => z.object({ status: z.literal('success'), ...shape });
export const StatusSuccessJson = statusSuccessWith({});

/** The sharing API's paging fields (`page()`). */
export const pagingFields = { total: z.number().int(), start: z.number().int(), num: z.number().int(), nextStart: z.number().int() };

/** The envelope of every portal search (`searchPage()`). */
export const searchPageOf = <T extends ZodTypeAny>(result: T) => z.object({ query: z.string(), ...pagingFields, results: z.array(result) });

/** Epoch milliseconds. */
export const zMillis = z.number().int();
