import type { Request, Response } from 'express';
import { publicUrlMiddleware, publicUrlOf } from './public-url';
import { collapseSlashes } from './rest-routing';

const run = (mw: (req: Request, res: Response, next: () => void) => void, req: Partial<Request>) => {
  const r = req as Request;
  mw(r, {} as Response, () => undefined);
  return r;
};

describe('publicUrlMiddleware', () => {
  const urls = { http: 'http://localhost:3000', https: { port: 3443 } };

  it('answers the configured URL to plain HTTP and the Host the client used to HTTPS', () => {
    expect(publicUrlOf(run(publicUrlMiddleware(urls), { secure: false, headers: { host: 'example.org:3000' } }))).toBe('http://localhost:3000');
    expect(publicUrlOf(run(publicUrlMiddleware(urls), { secure: true, headers: { host: 'example.org:3443' } }))).toBe('https://example.org:3443');
    expect(publicUrlOf(run(publicUrlMiddleware(urls), { secure: true, headers: { host: '[::1]:3443' } }))).toBe('https://[::1]:3443');
  });

  it('prefers a configured HTTPS URL, and never reflects a Host that is not a plain host[:port]', () => {
    expect(publicUrlOf(run(publicUrlMiddleware({ ...urls, https: { port: 3443, publicUrl: 'https://nb.example.org' } }), { secure: true, headers: { host: 'x' } }))).toBe(
      'https://nb.example.org',
    );
    for (const host of ['evil.example/path', 'a b', 'x"><script>', '']) {
      expect(publicUrlOf(run(publicUrlMiddleware(urls), { secure: true, headers: { host } }))).toBe('https://localhost:3443');
    }
  });
});

describe('collapseSlashes', () => {
  it('collapses // in the path only, never in the query', () => {
    expect(run(collapseSlashes, { url: '/sharing/rest//community///users/a?u=http://x//y' }).url).toBe('/sharing/rest/community/users/a?u=http://x//y');
    expect(run(collapseSlashes, { url: '/plain?x=1' }).url).toBe('/plain?x=1');
  });
});
