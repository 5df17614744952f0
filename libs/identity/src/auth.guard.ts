import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RunEntity } from '@app/db';
import type { Request } from 'express';
import { DomainError } from '@app/rest';
import { Clock } from '@app/clock';
import { OAuthRepository } from './oauth/oauth.repository';
import { IS_OPTIONAL_AUTH, IS_PUBLIC, toPrincipal } from './principal';
import { TokensService } from './tokens.service';
import { UsersRepository } from './users.repository';

/** Every route needs a valid token unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokensService,
    private readonly users: UsersRepository,
    @InjectDataSource() private readonly ds: DataSource,
    private readonly sessions: OAuthRepository,
    private readonly clock: Clock,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [ctx.getHandler(), ctx.getClass()])) return true;
    const req = ctx.switchToHttp().getRequest<Request & { principal?: unknown }>();
    const token = tokenOf(req);
    if (!token && this.reflector.getAllAndOverride<boolean>(IS_OPTIONAL_AUTH, [ctx.getHandler(), ctx.getClass()])) return true;
    if (!token) throw new DomainError('token_required', 'TOKEN_REQUIRED', 'Token Required');
    const claims = this.tokens.verify(token);
    if (!claims) throw new DomainError('invalid_token', 'INVALID_TOKEN', 'Invalid token.');
    // A run's token is revoked when the run ends.
    if (claims.run && !(await this.ds.manager.existsBy(RunEntity, { id: claims.run, status: 'PROCESSING' }))) {
      throw new DomainError('invalid_token', 'INVALID_TOKEN', 'Invalid token.');
    }
    // Re-read the user so disabled or deleted users' tokens stop working at once.
    const user = await this.users.findById(claims.sub);
    if (!user || user.disabled) throw new DomainError('invalid_token', 'INVALID_TOKEN', 'Invalid token.');
    // A token from an OAuth2 sign-in ends with its session (signout, revokeToken).
    if (claims.sid && !(await this.sessions.isLive(claims.sid, this.clock.now()))) {
      throw new DomainError('invalid_token', 'INVALID_TOKEN', 'Invalid token.');
    }
    req.principal = { ...toPrincipal(user), ...(claims.sid ? { sessionId: claims.sid } : {}) };
    return true;
  }
}

/** `token` parameter, `Authorization: Bearer`, or `X-Esri-Authorization: Bearer`. */
export function tokenOf(req: Request): string | undefined {
  for (const h of [req.headers['x-esri-authorization'], req.headers.authorization]) {
    const m = typeof h === 'string' ? /^Bearer\s+(\S+)$/i.exec(h) : null;
    if (m) return m[1];
  }
  const fromQuery = req.query?.token;
  if (typeof fromQuery === 'string' && fromQuery) return fromQuery;
  const fromBody = (req.body as Record<string, unknown> | undefined)?.token;
  return typeof fromBody === 'string' && fromBody ? fromBody : undefined;
}
