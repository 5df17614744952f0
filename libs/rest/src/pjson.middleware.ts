import type { NextFunction, Request, Response } from 'express';

/** `f=pjson` asks for pretty-printed JSON on any operation. */
export function pjsonMiddleware(req: Request, res: Response, next: NextFunction): void {
  const f = (req.query?.f ?? (req.body as Record<string, unknown> | undefined)?.f) as unknown;
  if (f === 'pjson') {
    res.json = (body: unknown) => res.type('application/json').send(JSON.stringify(body, null, 2));
  }
  next();
}
