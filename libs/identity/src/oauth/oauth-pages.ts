import type { Response } from 'express';

/** Pages of the OAuth2 sign-in: the only HTML the sharing API answers. Nothing on them runs script. */
const HEADERS = {
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
// JSON inside <script> must not be able to close the element.
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

export interface SignInPage {
  oauthState: string;
  clientId: string;
  appTitle: string;
  /** Why the previous attempt failed, with its OAUTH_ code (the ArcGIS API for Python looks for OAUTH_0015). */
  error?: { code: string; message: string };
}

/**
 * The sign-in form. Clients without a browser read `oauth_state` from the `var oAuthInfo = {…};` script (its JSON
 * holds the substring `"oauth_state":"…"` the implicit flow searches for) and POST the form themselves.
 */
export function sendSignInPage(res: Response, page: SignInPage): void {
  const info = {
    oauth_state: page.oauthState,
    client_id: page.clientId,
    appTitle: page.appTitle,
    messages: page.error ? [page.error.message] : [],
    ...(page.error ? { code: page.error.code } : {}),
  };
  const error = page.error ? `<p role="alert">${escapeHtml(page.error.message)} (${page.error.code})</p>` : '';
  res
    .status(page.error ? 400 : 200)
    .set(HEADERS)
    .type('text/html; charset=utf-8')
    .send(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in to ${escapeHtml(page.appTitle)}</title>
<script>var oAuthInfo = ${scriptJson(info)};</script></head>
<body><h1>Sign in</h1>${error}
<form method="post" action="/sharing/oauth2/signin">
<input type="hidden" name="oauth_state" value="${escapeHtml(page.oauthState)}">
<label>Username <input name="username" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<input type="hidden" name="authorize" value="true">
<button type="submit">Sign in</button>
</form></body></html>`);
}

/** The out-of-band answer of the code flow: the code is in the title, where desktop clients read it. */
export function sendCodePage(res: Response, code: string): void {
  res
    .status(200)
    .set(HEADERS)
    .type('text/html; charset=utf-8')
    .send(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>SUCCESS code=${escapeHtml(code)}</title></head>
<body><p>Signed in. Copy this code into your application:</p><p><code>${escapeHtml(code)}</code></p></body></html>`);
}
