import { z } from 'zod';
import { zInt } from '@app/rest';
import { PKCE_VERIFIER } from './oauth-clients';

export const AuthorizeDto = z.object({
  client_id: z.string().min(1),
  response_type: z.enum(['token', 'code']),
  redirect_uri: z.string().min(1),
  state: z.string().max(1024).optional(),
  expiration: zInt.pipe(z.number().min(1)).optional(),
  // PKCE (RFC 7636): S256 only, as OAuth 2.1 asks of public clients.
  code_challenge: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be the base64url SHA-256 of the code_verifier (43 characters)').optional(),
  code_challenge_method: z.literal('S256').optional(),
  /**
   * Ours: `json` answers this request and the sign-in POST of its page with JSON instead of the page and the
   * redirect, for a client that signs in with fetch and stays on its page. Not `f=json`: the ArcGIS API for Python
   * sends that on authorize and reads the page.
   */
  response_mode: z.literal('json').optional(),
});

export const SignInDto = z.object({
  oauth_state: z.string().min(1),
  username: z.string().min(1),
  password: z.string().min(1),
});

export const TokenDto = z.discriminatedUnion('grant_type', [
  z.object({
    grant_type: z.literal('authorization_code'),
    code: z.string().min(1),
    client_id: z.string().min(1),
    redirect_uri: z.string().min(1),
    expiration: zInt.pipe(z.number().min(1)).optional(),
    code_verifier: z.string().regex(PKCE_VERIFIER, 'must be 43 to 128 characters of A-Z, a-z, 0-9 and -._~').optional(),
  }),
  z.object({ grant_type: z.literal('refresh_token'), refresh_token: z.string().min(1), client_id: z.string().min(1) }),
  z.object({ grant_type: z.literal('suspend_session'), refresh_token: z.string().min(1), client_id: z.string().min(1) }),
]);

export const RevokeDto = z.object({ auth_token: z.string().min(1), client_id: z.string().optional() });
