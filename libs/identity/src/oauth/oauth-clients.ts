/**
 * The OAuth2 clients this portal knows. `arcgisonline` (the ArcGIS API for Python's implicit flow) and `arcgispro`
 * (its code-flow fallback) are built into every portal; their redirect URIs are the portal's own origin and the
 * out-of-band URI.
 */
export const OOB_REDIRECT = 'urn:ietf:wg:oauth:2.0:oob';

export interface OAuthClient {
  clientId: string;
  title: string;
}

const BUILT_IN: Record<string, OAuthClient> = {
  arcgisonline: { clientId: 'arcgisonline', title: 'ArcGIS' },
  arcgispro: { clientId: 'arcgispro', title: 'ArcGIS Pro' },
};

export const clientById = (clientId: string): OAuthClient | undefined => BUILT_IN[clientId];

/** A built-in client may send users back only out of band or to the portal itself (any path on its origins). */
export function redirectAllowed(redirectUri: string, portalOrigins: string[]): boolean {
  if (redirectUri === OOB_REDIRECT) return true;
  if (!URL.canParse(redirectUri)) return false;
  const u = new URL(redirectUri);
  return (u.protocol === 'https:' || u.protocol === 'http:') && portalOrigins.includes(u.origin);
}
