import type { Request } from 'express';

/** The route pattern a request matched (`/…/users/:username/tasks/:taskId`), or `unmatched`: a bounded label for logs and metrics. */
export function routeOf(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl ?? ''}${path}` : 'unmatched';
}
