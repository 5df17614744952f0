import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { App } from './App';
import { challengeOf } from './lib/pkce';
import { SessionProvider } from './session';

type Handler = (url: URL, body: URLSearchParams, auth: string | null) => [number, unknown];

/** A stand-in for the REST API (unit tests only; the browser tests use the real server). */
function fakeApi(routes: Record<string, Handler>) {
  const calls: string[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://localhost');
    calls.push(`${init?.method ?? 'GET'} ${url.pathname}`);
    const key = Object.keys(routes).find((k) => new RegExp(`^${k}$`).test(`${init?.method ?? 'GET'} ${url.pathname}`));
    const auth = new Headers(init?.headers).get('Authorization');
    const [status, body] = key ? routes[key](url, new URLSearchParams(String(init?.body ?? '')), auth) : [404, { error: { code: 404, messageCode: 'NOT_FOUND', message: `Cannot ${init?.method ?? 'GET'} ${url.pathname}`, details: [] } }];
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { fetchImpl, calls };
}

const user = (role: string) => ({ id: 'u1', username: 'alice', fullName: 'Alice', email: '', role, privileges: [], disabled: false, created: 0, modified: 0, groups: [] });
const invalidToken: [number, unknown] = [401, { error: { code: 498, messageCode: 'INVALID_TOKEN', message: 'Invalid token.', details: [] } }];

/** The OAuth2 code flow with PKCE as the server runs it: the fake checks the verifier against the challenge. */
function oauthRoutes(refreshWorks: () => boolean = () => true): Record<string, Handler> {
  let pending: { state: string; challenge: string } | null = null;
  let access = 0;
  return {
    'GET /sharing/rest/oauth2/authorize': (u) => {
      expect(u.searchParams.get('client_id')).toBe('nbmanager');
      expect(u.searchParams.get('code_challenge_method')).toBe('S256');
      expect(u.searchParams.get('response_mode')).toBe('json');
      pending = { state: u.searchParams.get('state')!, challenge: u.searchParams.get('code_challenge')! };
      return [200, { oauth_state: 'os' }];
    },
    'POST /sharing/oauth2/signin': (_u, b) =>
      b.get('password') === 'right' ? [200, { code: 'c1', state: pending!.state }] : [400, { error: { code: 400, messageCode: 'OAUTH_0015', message: 'Invalid username or password.', details: [] } }],
    'POST /sharing/rest/oauth2/token': (_u, b) => {
      if (b.get('grant_type') === 'authorization_code') {
        expect(challengeOf(b.get('code_verifier')!)).toBe(pending!.challenge);
        return [200, { access_token: `tok${++access}`, expires_in: 1800, refresh_token: 'rt', refresh_token_expires_in: 1_209_600, username: 'alice' }];
      }
      return refreshWorks() && b.get('refresh_token') === 'rt' ? [200, { access_token: `tok${++access}`, expires_in: 1800, username: 'alice' }] : [400, { error: { code: 400, messageCode: 'OAUTH_0009', message: 'Invalid refresh_token.', details: [] } }];
    },
    'GET /sharing/rest/oauth2/signout': () => [200, { success: true }],
    'POST /sharing/rest/oauth2/revokeToken': () => [200, { success: true }],
  };
}

const baseRoutes = (role: string, refreshWorks?: () => boolean): Record<string, Handler> => ({
  ...oauthRoutes(refreshWorks),
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
  beforeEach(() => {
    history.replaceState(null, '', '/arcgis/manager/');
    localStorage.clear();
  });

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

  it('an expired access token is renewed with the refresh token without a word; the request is sent again', async () => {
    let valid = 'tok1';
    const routes = baseRoutes('org_user');
    routes['GET /arcgis/admin/system/jobs'] = (_u, _b, auth) => (auth === `Bearer ${valid}` ? [200, { asyncJobs: [], total: 0 }] : invalidToken);
    routes['POST /arcgis/admin/system/jobs/deleteAll'] = (_u, _b, auth) => (auth === `Bearer ${valid}` ? [200, { deleted: 0 }] : invalidToken);
    const api = fakeApi(routes);
    history.replaceState(null, '', '/arcgis/manager/jobs');
    render(<SessionProvider fetchImpl={api.fetchImpl}><App /></SessionProvider>);
    await signIn();
    await screen.findByRole('heading', { name: 'Jobs' });
    valid = 'tok2';
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Delete finished jobs' })));
    await act(async () => fireEvent.click(screen.getAllByRole('button', { name: 'Delete finished jobs' }).at(-1)!));
    await waitFor(() => expect(api.calls.filter((c) => c === 'POST /arcgis/admin/system/jobs/deleteAll')).toHaveLength(2));
    expect(screen.queryByRole('dialog', { name: 'Sign in again' })).toBeNull();
    expect(JSON.parse(localStorage.getItem('nbautomation.manager.session')!).token).toBe('tok2');
  });

  it('sign out ends the portal session and revokes the refresh token', async () => {
    const api = fakeApi(baseRoutes('org_user'));
    render(<SessionProvider fetchImpl={api.fetchImpl}><App /></SessionProvider>);
    await signIn();
    await screen.findByRole('navigation', { name: 'Main' });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Sign out' })));
    await screen.findByRole('button', { name: 'Sign in' });
    await waitFor(() => expect(api.calls).toEqual(expect.arrayContaining(['GET /sharing/rest/oauth2/signout', 'POST /sharing/rest/oauth2/revokeToken'])));
    expect(localStorage.getItem('nbautomation.manager.session')).toBeNull();
  });

  it('a session that cannot be renewed brings a sign-in dialog over the page; the page stays', async () => {
    let expired = false;
    const routes = baseRoutes('org_user', () => !expired);
    routes['GET /arcgis/admin/system/jobs'] = () => (expired ? invalidToken : [200, { asyncJobs: [], total: 0 }]);
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
