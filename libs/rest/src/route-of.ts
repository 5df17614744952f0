import type { Request } from 'express';

/** The route pattern a request matched (`/…/users/:username/tasks/:taskId`), or `unmatched`: a bounded label for logs and metrics. */
export function routeOf(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path !== 'string' || isCatchAll(path)) return 'unmatched';
  return `${req.baseUrl ?? ''}${path}`;
}

/** A catch-all (`/{*path}`) is middleware mounted on every path (the request logger), not a route of an operation. */
export function isCatchAll(routePath: string): boolean {
  return /^\/?\{?\*/.test(routePath);
}
