import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { SessionProvider } from './session';

/** The 404 the API answers for a path a stand-in does not know. */
export const notFound = (path: string) => new Response(JSON.stringify({ error: { code: 404, messageCode: 'NOT_FOUND', message: `Cannot GET ${path}`, details: [] } }), { status: 404 });

/** Renders a page for the signed-in administrator `admin`, against `fetchImpl` (a stand-in for the REST API). */
export function renderAsAdmin(page: ReactElement, fetchImpl: typeof fetch): void {
  localStorage.setItem('nbautomation.manager.session', JSON.stringify({ token: 't', refreshToken: 'r', refreshExpires: Date.now() + 60_000, username: 'admin', fullName: 'Admin', role: 'org_admin' }));
  render(<SessionProvider fetchImpl={fetchImpl}>{page}</SessionProvider>);
}
