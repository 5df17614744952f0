import { challengeOf, randomToken } from '../lib/pkce';
import { Http } from './http';
import type { OAuthToken } from './types';

/** The Manager's built-in OAuth2 client (a public client: the code flow with PKCE). */
export const CLIENT_ID = 'nbmanager';
const OAUTH = '/sharing/rest/oauth2';

/** The redirect URI the flow names: the Manager itself. The browser never goes there: the sign-in answers JSON. */
const redirectUri = () => `${location.origin}/arcgis/manager/`;

/**
 * OAuth2 for the Manager: authorize with `response_mode=json` (ours: authorize and the sign-in form's POST answer
 * JSON, so the code comes back to this page, and any form open on it stays), then the token endpoint with the
 * code_verifier.
 */
export function oauthClient(http: Http) {
  return {
    async signIn(username: string, password: string): Promise<OAuthToken> {
      const verifier = randomToken();
      const state = randomToken();
      const page = await http.get<{ oauth_state: string }>(`${OAUTH}/authorize`, {
        client_id: CLIENT_ID,
        response_type: 'code',
        redirect_uri: redirectUri(),
        state,
        code_challenge: challengeOf(verifier),
        code_challenge_method: 'S256',
        response_mode: 'json',
      });
      const out = await http.post<{ code: string; state?: string }>('/sharing/oauth2/signin', { oauth_state: page.oauth_state, username, password });
      if (out.state !== state) throw new Error('The sign-in answered for another sign-in; try again.');
      return http.post<OAuthToken>(`${OAUTH}/token`, { grant_type: 'authorization_code', client_id: CLIENT_ID, code: out.code, redirect_uri: redirectUri(), code_verifier: verifier });
    },
    refresh: (refreshToken: string) => http.post<OAuthToken>(`${OAUTH}/token`, { grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: refreshToken }),
    /** Ends the session of the token the Http sends. */
    signOut: () => http.get<{ success: boolean }>(`${OAUTH}/signout`),
    revoke: (refreshToken: string) => http.post<{ success: boolean }>(`${OAUTH}/revokeToken`, { auth_token: refreshToken, client_id: CLIENT_ID }),
  };
}
