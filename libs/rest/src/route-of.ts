import type { Request } from 'express';

/** The route pattern a request matched (`/…/users/:username/tasks/:taskId`), or `unmatched`: a bounded label for logs and metrics. */
export function routeOf(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  // A catch-all is middleware mounted on every path (the request logger), not the route the request matched.
  if (typeof path !== 'string' || /^\/?\{?\*/.test(path)) return 'unmatched';
  return `${req.baseUrl ?? ''}${path}`;
}
