import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Clock } from '@app/clock';
import { TokenSecretService } from './token-secret.service';

export interface TokenClaims {
  sub: string;
  username: string;
  /** Why the token was minted: `signin`, `webhook` (webhook-triggered runs, before runs had their own), `run`. */
  purpose: 'signin' | 'webhook' | 'run';
  /** A run's token: valid only while that run is in progress (checked by the guard). */
  run?: string;
  /** The OAuth2 session the token was minted in: revoking the session ends the token. */
  sid?: string;
}

/** Signed, expiring tokens (HS256 JWTs). Validity of the user behind a token is checked per request by the guard. */
@Injectable()
export class TokensService {
  private readonly jwt: JwtService;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly secrets: TokenSecretService,
  ) {
    this.jwt = new JwtService({ signOptions: { algorithm: 'HS256' } });
  }

  /** Mints a token that expires `minutes` from now (clamped to the configured maximum). */
  issue(claims: TokenClaims, minutes?: number): { token: string; expires: number } {
    const m = Math.min(Math.max(1, minutes ?? this.config.auth.defaultTokenMinutes), this.config.auth.maxTokenMinutes);
    const nowSec = Math.floor(this.clock.nowMs() / 1000);
    const exp = nowSec + m * 60;
    const token = this.jwt.sign({ ...claims, iat: nowSec, exp }, { secret: this.secrets.secret });
    return { token, expires: exp * 1000 };
  }

  /** The claims of a valid token, or null for a bad signature or an expired token. */
  verify(token: string): TokenClaims | null {
    try {
      const nowSec = Math.floor(this.clock.nowMs() / 1000);
      const c = this.jwt.verify<TokenClaims & { exp: number }>(token, { ignoreExpiration: true, secret: this.secrets.secret, algorithms: ['HS256'] });
      return c.exp > nowSec ? { sub: c.sub, username: c.username, purpose: c.purpose, ...(c.run ? { run: c.run } : {}), ...(c.sid ? { sid: c.sid } : {}) } : null;
    } catch {
      return null;
    }
  }
}
