import { createHash } from 'node:crypto';

/**
 * The OAuth2 clients this portal knows. `arcgisonline` (the ArcGIS API for Python's implicit flow) and `arcgispro`
 * (its code-flow fallback) are built into every portal; their redirect URIs are the portal's own origin and the
 * out-of-band URI. `nbmanager` (ours) is the Manager: a public client in the browser, so it must use the code flow
 * with PKCE (S256) and may only return to the Manager's own pages.
 */
export const OOB_REDIRECT = 'urn:ietf:wg:oauth:2.0:oob';

export interface OAuthClient {
  clientId: string;
  title: string;
  /** A public client that must prove it started the flow (PKCE, S256) and may use the code flow only. */
  requiresPkce?: boolean;
  /** Where on the portal's origins it may redirect (every path when absent); no out-of-band redirect then either. */
  redirectPath?: string;
}

export const MANAGER_PATH = '/arcgis/manager/';

const BUILT_IN: Record<string, OAuthClient> = {
  arcgisonline: { clientId: 'arcgisonline', title: 'ArcGIS' },
  arcgispro: { clientId: 'arcgispro', title: 'ArcGIS Pro' },
  nbmanager: { clientId: 'nbmanager', title: 'Notebook Automation Manager', requiresPkce: true, redirectPath: MANAGER_PATH },
};

export const clientById = (clientId: string): OAuthClient | undefined => (Object.hasOwn(BUILT_IN, clientId) ? BUILT_IN[clientId] : undefined);

/** A built-in client may send users back only out of band or to the portal itself (any path on its origins). */
export function redirectAllowed(client: OAuthClient, redirectUri: string, portalOrigins: string[]): boolean {
  if (redirectUri === OOB_REDIRECT) return !client.redirectPath;
  if (!URL.canParse(redirectUri)) return false;
  const u = new URL(redirectUri);
  if (client.redirectPath && !u.pathname.startsWith(client.redirectPath)) return false;
  return (u.protocol === 'https:' || u.protocol === 'http:') && portalOrigins.includes(u.origin);
}

/** RFC 7636: a verifier is 43–128 characters of [A-Za-z0-9-._~]; so is an S256 challenge's base64url (43). */
export const PKCE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/** S256: the challenge is base64url(SHA-256(verifier)), without padding. */
export const pkceChallenge = (verifier: string) => createHash('sha256').update(verifier, 'ascii').digest('base64url');
