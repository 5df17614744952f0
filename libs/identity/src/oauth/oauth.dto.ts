import { z } from 'zod';
import { zInt } from '@app/rest';

export const AuthorizeDto = z.object({
  client_id: z.string().min(1),
  response_type: z.enum(['token', 'code']),
  redirect_uri: z.string().min(1),
  state: z.string().max(1024).optional(),
  expiration: zInt.pipe(z.number().min(1)).optional(),
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
  }),
  z.object({ grant_type: z.literal('refresh_token'), refresh_token: z.string().min(1), client_id: z.string().min(1) }),
  z.object({ grant_type: z.literal('suspend_session'), refresh_token: z.string().min(1), client_id: z.string().min(1) }),
]);

export const RevokeDto = z.object({ auth_token: z.string().min(1), client_id: z.string().optional() });
