import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

const KEY = Symbol('publicUrl');
type WithUrl = Request & { [KEY]?: string };

// A Host header worth reflecting: a name or address and an optional port, nothing else.
const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * The base URL handed out in answers (`jobUrl`, `tokenServicesUrl`, server discovery): the HTTPS one when the
 * request came over HTTPS (clients such as the ArcGIS API for Python only speak HTTPS to a portal), else the
 * configured public URL. Without a configured HTTPS URL, the host the client used is answered back.
 */
export function publicUrlMiddleware(urls: { http: string; https: { port: number; publicUrl?: string } | null }) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    let url = urls.http;
    if (req.secure && urls.https) {
      const host = req.headers.host;
      url = urls.https.publicUrl ?? (host && HOST.test(host) ? `https://${host}` : `https://localhost:${urls.https.port}`);
    }
    (req as WithUrl)[KEY] = url;
    next();
  };
}

/** The request's public base URL (see publicUrlMiddleware), without a trailing slash. */
export function publicUrlOf(req: Request): string {
  const url = (req as WithUrl)[KEY];
  if (!url) throw new Error('publicUrlMiddleware is not installed');
  return url;
}

export const PublicUrl = createParamDecorator((_: unknown, ctx: ExecutionContext): string => publicUrlOf(ctx.switchToHttp().getRequest()));
