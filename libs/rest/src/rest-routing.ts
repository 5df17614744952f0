import type { Application, NextFunction, Request, Response } from 'express';
import { isCatchAll } from './route-of';

/** `//` in a path means `/`: the ArcGIS API for Python builds some URLs as `…/sharing/rest//community/…`. */
export function collapseSlashes(req: Request, _res: Response, next: NextFunction): void {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  // Only the portal's APIs: elsewhere (an output file's name) an empty segment is the caller's, and refused.
  if (path.includes('//') && /^\/(sharing|portaladmin)\//.test(path)) req.url = path.replace(/\/{2,}/g, '/') + (q < 0 ? '' : req.url.slice(q));
  next();
}

interface RouteLayer {
  route?: { path: string; _handlesMethod(method: string): boolean };
  match(path: string): unknown;
}

const READ_API = /^\/(sharing|portaladmin|arcgis\/admin)(\/|$)/;

/**
 * Every read operation of the sharing and admin APIs answers a POST as it answers a GET, as the product's do
 * (clients POST reads to keep tokens and long queries out of URLs). A POST that no POST route takes but a GET
 * route does is dispatched as that GET; routes added anywhere are covered without declaring anything.
 */
export function postAsGet(app: Application) {
  const routes = () => (app as unknown as { router: { stack: RouteLayer[] } }).router.stack.filter((l) => l.route && !isCatchAll(l.route.path));
  const handles = (method: string, path: string) => routes().some((l) => l.route!._handlesMethod(method) && l.match(path));
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (req.method === 'POST' && READ_API.test(req.path) && !handles('post', req.path) && handles('get', req.path)) {
      req.method = 'GET';
    }
    next();
  };
}
