import { z } from 'zod';

/** Response shapes of `/health` and `/ready`, for the OpenAPI document (`@Returns`). */
export const HealthJson = z.object({ status: z.literal('ok') });
/** 200 `ready`, or 503 `not ready` naming what is down (`down: <why>`). */
export const ReadyJson = z.object({ status: z.enum(['ready', 'not ready']), postgres: z.string(), redis: z.string() });
