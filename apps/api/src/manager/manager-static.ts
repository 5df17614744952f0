import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import serveStatic from 'serve-static';

/** Where the Manager's page lives; `/` redirects there. */
export const MANAGER_PATH = '/arcgis/manager';

/**
 * The built Manager (`npm run build` → dist/apps/manager). Beside the built api (dist/apps/api/main.js) in
 * production; from the repository root when the api runs from source (tests, watch mode).
 */
export function findManagerDir(candidates = [join(__dirname, '..', 'manager'), join(process.cwd(), 'dist', 'apps', 'manager')]): string | null {
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? null;
}

const YEAR_SECONDS = 365 * 24 * 3600;

/**
 * The page loads only its own files and talks only to this server; it may not be framed elsewhere.
 * Run snapshots are shown in `sandbox` srcdoc frames, which inherit this policy: their inline styles and
 * data: images are allowed, their scripts and anything remote are not.
 */
export const MANAGER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

function pageHeaders(res: { setHeader(name: string, value: string): unknown }): void {
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('Content-Security-Policy', MANAGER_CSP);
  res.setHeader('Referrer-Policy', 'no-referrer');
}

/**
 * Serves the single-page app: hashed files under `assets/` are cached for a year, `index.html` never without
 * revalidation (so a new build is picked up at once), and every other path under the Manager is a client route
 * answered with `index.html`.
 */
export function managerStatic(dir: string | null) {
  const files = dir
    ? serveStatic(dir, {
        index: false,
        fallthrough: true,
        redirect: false,
        setHeaders: (res, path) => {
          if (path.startsWith(join(dir, 'assets'))) res.setHeader('Cache-Control', `public, max-age=${YEAR_SECONDS}, immutable`);
          else pageHeaders(res);
          res.setHeader('X-Content-Type-Options', 'nosniff');
        },
      })
    : null;
  const index = dir ? join(dir, 'index.html') : null;

  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const path = req.path;
    if (path === '/' || path === MANAGER_PATH) return res.redirect(302, `${MANAGER_PATH}/`);
    if (!path.startsWith(`${MANAGER_PATH}/`)) return next();
    if (!files || !index) {
      return res.status(404).json({
        error: { code: 404, messageCode: 'MANAGER_NOT_BUILT', message: 'The Manager is not built: run `npm run build`.', details: [] },
      });
    }
    // serve-static resolves paths against the mount point: strip the Manager's prefix.
    const original = req.url;
    req.url = req.url.slice(MANAGER_PATH.length) || '/';
    files(req, res, () => {
      req.url = original;
      // A missing hashed file is a real 404 (an old page asking for a removed build), not a client route.
      if (path.startsWith(`${MANAGER_PATH}/assets/`)) return next();
      pageHeaders(res);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.sendFile(index);
    });
  };
}
