import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { Clock } from '@app/clock';
import { APP_CONFIG, AppConfig } from '@app/config';
import { newId, UserEntity } from '@app/db';
import { DomainError } from '@app/rest';
import { LoginThrottleService } from '../login-throttle.service';
import { TokensService } from '../tokens.service';
import { UsersRepository } from '../users.repository';
import { UsersService } from '../users.service';
import { clientById, OAuthClient, OOB_REDIRECT, pkceChallenge, redirectAllowed } from './oauth-clients';
import { AuthorizeDto, TokenDto } from './oauth.dto';
import { OAuthRepository, sha256 } from './oauth.repository';

/** How long a sign-in page may be used, and an authorization code redeemed. */
const STATE_MINUTES = 10;
const CODE_SECONDS = 120;
/** Refresh tokens live two weeks unless the client asks for less (the product's default and maximum). */
const REFRESH_MINUTES = 20160;

const secret = () => randomBytes(32).toString('base64url');

/** What a sign-in page's state remembers of its authorize request. */
interface PendingSignIn {
  clientId: string;
  responseType: 'token' | 'code';
  redirectUri: string;
  clientState?: string;
  expiration?: number;
  /** PKCE: the S256 challenge the code's redeemer must answer. */
  codeChallenge?: string;
  /** `response_mode=json`: the sign-in answers JSON. */
  json?: boolean;
}

interface CodeGrant {
  clientId: string;
  redirectUri: string;
  userId: string;
  codeChallenge?: string;
}

/** `json`: the authorize request asked for JSON answers (`response_mode=json`). */
export type SignInOutcome = { json: boolean } & (
  /** `code` and `state` are set for the code flow: what the redirect carries, for a client that asked for JSON. */
  | { kind: 'redirect'; location: string; code?: string; state?: string }
  | { kind: 'code'; code: string }
  | { kind: 'retry'; oauthState: string; client: OAuthClient; message: string }
);

/**
 * OAuth2 for built-in users: the implicit flow (token in the redirect's fragment) and the authorization-code flow
 * (code, then token and refresh token). States and codes are single-use and short-lived; every sign-in is a session
 * whose revocation ends its refresh token and the access tokens minted in it.
 */
@Injectable()
export class OAuthService {
  constructor(
    private readonly repo: OAuthRepository,
    private readonly users: UsersService,
    private readonly usersRepo: UsersRepository,
    private readonly tokens: TokensService,
    private readonly throttle: LoginThrottleService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Checks an authorize request and answers the state its sign-in page carries. */
  async authorize(dto: z.infer<typeof AuthorizeDto>, portalOrigins: string[]): Promise<{ oauthState: string; client: OAuthClient }> {
    const client = clientById(dto.client_id);
    if (!client) throw DomainError.invalid('OAUTH_0004', 'Invalid client_id.');
    if (!redirectAllowed(client, dto.redirect_uri, portalOrigins)) throw DomainError.invalid('OAUTH_0005', 'Invalid redirect_uri.');
    if (dto.response_type === 'token' && dto.redirect_uri === OOB_REDIRECT) {
      throw DomainError.invalid('OAUTH_0006', 'The implicit flow needs a redirect_uri it can put the token in.');
    }
    if (dto.code_challenge && dto.code_challenge_method !== 'S256') {
      throw DomainError.invalid('OAUTH_0011', 'code_challenge_method must be S256 (the plain method is not supported).');
    }
    if (dto.code_challenge && dto.response_type !== 'code') throw DomainError.invalid('OAUTH_0011', 'PKCE goes with response_type=code.');
    if (client.requiresPkce && (dto.response_type !== 'code' || !dto.code_challenge)) {
      throw DomainError.invalid('OAUTH_0011', 'This client must use response_type=code with a code_challenge (PKCE, S256).');
    }
    const pending: PendingSignIn = {
      clientId: client.clientId,
      responseType: dto.response_type,
      redirectUri: dto.redirect_uri,
      clientState: dto.state,
      expiration: dto.expiration,
      codeChallenge: dto.code_challenge,
      json: dto.response_mode === 'json' || undefined,
    };
    return { oauthState: await this.newState(pending), client };
  }

  /**
   * The sign-in form's POST. The state is used up whatever happens; a wrong password answers a fresh one so the
   * page can be tried again.
   */
  async signIn(oauthState: string, username: string, password: string, address?: string): Promise<SignInOutcome> {
    const pending = (await this.repo.takeGrant('state', oauthState, this.clock.now())) as PendingSignIn | null;
    if (!pending) throw DomainError.invalid('OAUTH_0007', 'This sign-in page has expired or was already used; start again.');
    const client = clientById(pending.clientId)!;
    const json = !!pending.json;
    // The same throttle as generateToken: failures count per username and per address.
    await this.throttle.check(username, address);
    let user: UserEntity;
    try {
      user = await this.users.checkPassword(username, password);
      await this.throttle.succeeded(username);
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      if (e.messageCode === 'INVALID_CREDENTIALS') await this.throttle.failed(username, address);
      const message = e.messageCode === 'INVALID_CREDENTIALS' ? 'Invalid username or password.' : e.message;
      return { json, kind: 'retry', oauthState: await this.newState(pending), client, message };
    }
    await this.users.recordAuthEvent(user, 'signIn');
    if (pending.responseType === 'code') {
      const code = secret();
      const grant: CodeGrant = { clientId: pending.clientId, redirectUri: pending.redirectUri, userId: user.id, codeChallenge: pending.codeChallenge };
      await this.repo.putGrant('code', code, { ...grant }, new Date(this.clock.nowMs() + CODE_SECONDS * 1000), this.clock.now());
      if (pending.redirectUri === OOB_REDIRECT) return { json, kind: 'code', code };
      const state = pending.clientState;
      return { json, kind: 'redirect', location: withParams(pending.redirectUri, '?', { code, state }), code, state };
    }
    const minutes = this.minutes(pending.expiration, this.config.auth.defaultTokenMinutes);
    const sid = await this.newSession(user.id, pending.clientId, minutes, null);
    const t = this.tokens.issue({ sub: user.id, username: user.username, purpose: 'signin', sid }, minutes);
    return {
      json,
      kind: 'redirect',
      location: withParams(pending.redirectUri, '#', {
        access_token: t.token,
        expires_in: String(Math.round((t.expires - this.clock.nowMs()) / 1000)),
        username: user.username,
        ssl: 'false',
        state: pending.clientState,
      }),
    };
  }

  /** The token endpoint: redeem a code, refresh, or end a session. */
  async token(dto: z.infer<typeof TokenDto>) {
    const now = this.clock.now();
    if (dto.grant_type === 'authorization_code') {
      const grant = (await this.repo.takeGrant('code', dto.code, now)) as CodeGrant | null;
      if (!grant || grant.clientId !== dto.client_id || grant.redirectUri !== dto.redirect_uri) {
        throw DomainError.invalid('OAUTH_0008', 'Invalid authorization code.');
      }
      // The code is used up either way, so a wrong verifier cannot be retried against it.
      if (grant.codeChallenge ? !dto.code_verifier || pkceChallenge(dto.code_verifier) !== grant.codeChallenge : dto.code_verifier) {
        throw DomainError.invalid('OAUTH_0011', 'The code_verifier does not match the code_challenge of the authorize request.');
      }
      const user = await this.liveUser(grant.userId);
      const refreshToken = secret();
      const refreshMinutes = this.minutes(dto.expiration, REFRESH_MINUTES, REFRESH_MINUTES);
      const sid = await this.newSession(user.id, dto.client_id, refreshMinutes, refreshToken);
      return { ...this.access(user, sid), refresh_token: refreshToken, refresh_token_expires_in: refreshMinutes * 60 };
    }
    const session = await this.repo.findByRefresh(dto.refresh_token, now);
    if (!session || session.clientId !== dto.client_id) throw DomainError.invalid('OAUTH_0009', 'Invalid refresh_token.');
    if (dto.grant_type === 'suspend_session') {
      await this.revokeSession(session.id);
      return { success: true };
    }
    return this.access(await this.liveUser(session.userId), session.id);
  }

  /**
   * revokeToken: a refresh token or an access token minted by OAuth2 ends its session. Answers success for tokens
   * it does not know too (RFC 7009), so it tells nobody which tokens exist.
   */
  async revoke(token: string): Promise<{ success: true }> {
    const session = await this.repo.findByRefresh(token, this.clock.now());
    const sid = session?.id ?? this.tokens.verify(token)?.sid;
    if (sid) await this.revokeSession(sid);
    return { success: true };
  }

  /** Ends a session, raising the user's signOut event once. */
  async revokeSession(sid: string): Promise<void> {
    const userId = await this.repo.revoke(sid, this.clock.now());
    const user = userId ? await this.usersRepo.findById(userId) : null;
    if (user) await this.users.recordAuthEvent(user, 'signOut');
  }

  private access(user: UserEntity, sid: string) {
    const t = this.tokens.issue({ sub: user.id, username: user.username, purpose: 'signin', sid });
    return { access_token: t.token, expires_in: Math.round((t.expires - this.clock.nowMs()) / 1000), username: user.username, ssl: false };
  }

  private async liveUser(id: string): Promise<UserEntity> {
    const user = await this.usersRepo.findById(id);
    if (!user || user.disabled) throw DomainError.invalid('OAUTH_0010', 'The user of this grant can no longer sign in.');
    return user;
  }

  private async newState(pending: PendingSignIn): Promise<string> {
    const state = secret();
    await this.repo.putGrant('state', state, { ...pending }, new Date(this.clock.nowMs() + STATE_MINUTES * 60_000), this.clock.now());
    return state;
  }

  private async newSession(userId: string, clientId: string, minutes: number, refreshToken: string | null): Promise<string> {
    const id = newId();
    const now = this.clock.now();
    await this.repo.createSession({
      id,
      userId,
      clientId,
      refreshHash: refreshToken ? sha256(refreshToken) : null,
      created: now,
      expiresAt: new Date(now.getTime() + minutes * 60_000),
      revokedAt: null,
    });
    return id;
  }

  private minutes(asked: number | undefined, fallback: number, max = this.config.auth.maxTokenMinutes): number {
    return Math.min(asked ?? fallback, max);
  }
}

function withParams(uri: string, separator: '?' | '#', params: Record<string, string | undefined>): string {
  const q = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined)).toString();
  const base = separator === '#' ? uri.split('#')[0] : uri;
  return `${base}${separator === '?' && base.includes('?') ? '&' : separator}${q}`;
}
