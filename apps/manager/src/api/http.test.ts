import { describe, expect, it, vi } from 'vitest';
import { ApiError, Http, toForm } from './http';

const NO_SESSION = { renew: async () => false, ended: () => undefined };
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('toForm', () => {
  it('sends objects as JSON and leaves out absent values', () => {
    const f = toForm({ a: 'x', n: 3, b: true, o: { k: [1] }, u: undefined, z: null });
    expect(f.toString()).toBe('a=x&n=3&b=true&o=%7B%22k%22%3A%5B1%5D%7D');
  });
});

describe('Http', () => {
  it('puts the token in the Authorization header, never in the URL', async () => {
    const fetchImpl = vi.fn(async () => json(200, { ok: 1 }));
    const http = new Http(() => 'tok', NO_SESSION, fetchImpl as unknown as typeof fetch);
    await http.get('/x', { num: 5 });
    const [url, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/x?f=json&num=5');
    expect(new Headers(init.headers).get('Authorization')).toBe('Bearer tok');
  });

  it('sends JSON when a null must reach the server', async () => {
    const fetchImpl = vi.fn(async () => json(200, { success: true }));
    await new Http(() => 'tok', NO_SESSION, fetchImpl as unknown as typeof fetch).postJson('/u', { endDate: null, title: 'x' });
    const [, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect(new Headers(init.headers).get('Content-Type')).toBe('application/json');
    expect(new Headers(init.headers).get('Authorization')).toBe('Bearer tok');
    expect(JSON.parse(String(init.body))).toEqual({ f: 'json', endDate: null, title: 'x' });
  });

  it('turns the error JSON into an ApiError with problems by field', async () => {
    const body = { error: { code: 400, messageCode: 'INVALID_SCHEDULE', message: 'Invalid schedule: minute: bad', details: ['minute: 99 is out of range', 'parameters.notebookParameters: must be an object'] } };
    const http = new Http(() => null, NO_SESSION, (async () => json(400, body)) as unknown as typeof fetch);
    const e = (await http.post('/x').catch((x) => x)) as ApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect(e.messageCode).toBe('INVALID_SCHEDULE');
    expect(e.fieldErrors()).toEqual({ minute: '99 is out of range', 'parameters.notebookParameters': 'must be an object' });
    expect(e.sessionEnded).toBe(false);
  });

  it('reports a 498 (expired token) or 499 (no token) as the end of the session when the token cannot be renewed', async () => {
    const ended = vi.fn();
    const renew = vi.fn(async () => false);
    for (const code of [498, 499]) {
      const http = new Http(() => 'tok', { renew, ended }, (async () => json(401, { error: { code, messageCode: 'INVALID_TOKEN', message: 'Invalid token.', details: [] } })) as unknown as typeof fetch);
      await expect(http.get('/x')).rejects.toMatchObject({ code });
    }
    expect(renew).toHaveBeenCalledTimes(2);
    expect(ended).toHaveBeenCalledTimes(2);
  });

  it('renews a refused token and sends the request again with the new one, once', async () => {
    let token = 'old';
    const fetchImpl = vi.fn(async (_url: string, init: RequestInit) =>
      new Headers(init.headers).get('Authorization') === 'Bearer new' ? json(200, { ok: 1 }) : json(401, { error: { code: 498, messageCode: 'INVALID_TOKEN', message: 'Invalid token.', details: [] } }),
    );
    const ended = vi.fn();
    const http = new Http(() => token, { renew: async () => ((token = 'new'), true), ended }, fetchImpl as unknown as typeof fetch);
    await expect(http.post('/x', { a: 1 })).resolves.toEqual({ ok: 1 });
    expect(fetchImpl).toHaveBeenCalledTimes(2);
    expect(ended).not.toHaveBeenCalled();
    // A token refused again after renewing ends the session rather than looping.
    const always = new Http(() => token, { renew: async () => true, ended }, (async () => json(401, { error: { code: 498, messageCode: 'INVALID_TOKEN', message: 'Invalid token.', details: [] } })) as unknown as typeof fetch);
    await expect(always.get('/y')).rejects.toMatchObject({ code: 498 });
    expect(ended).toHaveBeenCalledTimes(1);
  });

  it('survives an error page that is not JSON', async () => {
    const http = new Http(() => null, NO_SESSION, (async () => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' })) as unknown as typeof fetch);
    await expect(http.get('/x')).rejects.toMatchObject({ status: 502, messageCode: 'HTTP_502' });
  });
});
