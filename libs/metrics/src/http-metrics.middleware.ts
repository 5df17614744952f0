import type { NextFunction, Request, Response } from 'express';
import { routeOf } from '@app/rest';
import type { Metrics } from './metrics.service';

/**
 * Counts every request by its route pattern (`/…/users/:username/tasks/:taskId`), never its path, so the
 * number of series stays bounded; requests that match no route count as `unmatched`.
 */
export function httpMetrics(metrics: Metrics) {
  return (req: Request, res: Response, next: NextFunction) => {
    const t0 = process.hrtime.bigint();
    res.on('finish', () => {
      const route = routeOf(req);
      metrics.http(req.method, route, res.statusCode, Number(process.hrtime.bigint() - t0) / 1e9);
    });
    next();
  };
}
