import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { App } from './App';
import { SessionProvider } from './session';

type Handler = (url: URL, body: URLSearchParams) => [number, unknown];

/** A stand-in for the REST API (unit tests only; the browser tests use the real server). */
function fakeApi(routes: Record<string, Handler>) {
  const calls: string[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://localhost');
    calls.push(`${init?.method ?? 'GET'} ${url.pathname}`);
    const key = Object.keys(routes).find((k) => new RegExp(`^${k}$`).test(`${init?.method ?? 'GET'} ${url.pathname}`));
    const [status, body] = key ? routes[key](url, new URLSearchParams(String(init?.body ?? ''))) : [404, { error: { code: 404, messageCode: 'NOT_FOUND', message: `Cannot ${init?.method ?? 'GET'} ${url.pathname}`, details: [] } }];
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { fetchImpl, calls };
}

const user = (role: string) => ({ id: 'u1', username: 'alice', fullName: 'Alice', email: '', role, privileges: [], disabled: false, created: 0, modified: 0, groups: [] });
const baseRoutes = (role: string): Record<string, Handler> => ({
  'POST /sharing/rest/generateToken': (_u, b) => (b.get('password') === 'right' ? [200, { token: 'tok', expires: Date.now() + 3_600_000 }] : [400, { error: { code: 400, messageCode: 'BAD_LOGIN', message: 'Invalid username or password.', details: [] } }]),
  'GET /sharing/rest/community/self': () => [200, user(role)],
  'GET /sharing/rest/portals/self/users': () => [200, { users: [user(role)], total: 1 }],
  'GET /sharing/rest/content/users/alice': () => [200, { items: [], total: 0 }],
  'GET /sharing/rest/community/users/alice/tasks': () => [200, { tasks: [], total: 0 }],
  'GET /arcgis/admin/system/jobs': () => [200, { asyncJobs: [], total: 0 }],
});

async function signIn(password = 'right') {
  fireEvent.change(screen.getByLabelText('Username'), { target: { value: 'alice' } });
  fireEvent.change(screen.getByLabelText('Password'), { target: { value: password } });
  await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Sign in' })));
}

describe('the Manager shell', () => {
  beforeEach(() => history.replaceState(null, '', '/arcgis/manager/'));

  it('shows the sign-in page, and the error of a refused sign-in', async () => {
    const api = fakeApi(baseRoutes('org_user'));
    render(<SessionProvider fetchImpl={api.fetchImpl}><App /></SessionProvider>);
    await signIn('wrong');
    expect(await screen.findByRole('alert')).toHaveProperty('textContent', 'Invalid username or password.');
    expect(screen.queryByRole('navigation')).toBeNull();
  });

  it('a user who is not an administrator gets Notebooks, Tasks and Jobs only; the session is kept for a reload', async () => {
    const api = fakeApi(baseRoutes('org_user'));
    const { unmount } = render(<SessionProvider fetchImpl={api.fetchImpl}><App /></SessionProvider>);
    await signIn();
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    expect([...nav.querySelectorAll('a')].map((a) => a.textContent)).toEqual(['Notebooks', 'Tasks', 'Jobs']);
    await screen.findByRole('heading', { name: 'Tasks' });
    unmount();
    // A reload: a new app reads the session back.
    render(<SessionProvider fetchImpl={api.fetchImpl}><App /></SessionProvider>);
    await screen.findByRole('navigation', { name: 'Main' });
  });

  it('an administrator also gets Webhooks and Site', async () => {
    const api = fakeApi(baseRoutes('org_admin'));
    render(<SessionProvider fetchImpl={api.fetchImpl}><App /></SessionProvider>);
    await signIn();
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    expect([...nav.querySelectorAll('a')].map((a) => a.textContent)).toEqual(['Notebooks', 'Tasks', 'Jobs', 'Webhooks', 'Site']);
  });

  it('a token that expires brings a sign-in dialog over the page; the page stays', async () => {
    let expired = false;
    const routes = baseRoutes('org_user');
    routes['GET /arcgis/admin/system/jobs'] = () => (expired ? [401, { error: { code: 498, messageCode: 'INVALID_TOKEN', message: 'Invalid token.', details: [] } }] : [200, { asyncJobs: [], total: 0 }]);
    const api = fakeApi(routes);
    history.replaceState(null, '', '/arcgis/manager/jobs');
    render(<SessionProvider fetchImpl={api.fetchImpl}><App /></SessionProvider>);
    await signIn();
    await screen.findByRole('heading', { name: 'Jobs' });
    expired = true;
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Delete finished jobs' })));
    await act(async () => fireEvent.click(screen.getAllByRole('button', { name: 'Delete finished jobs' }).at(-1)!));
    const dialog = await screen.findByRole('dialog', { name: 'Sign in again' });
    expect(dialog.textContent).toContain('Your session has expired');
    expect(screen.getByRole('heading', { name: 'Jobs' })).toBeTruthy();
    expired = false;
    await signIn();
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Sign in again' })).toBeNull());
    expect(screen.getByRole('heading', { name: 'Jobs' })).toBeTruthy();
  });
});
