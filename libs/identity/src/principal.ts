import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { DomainError } from '@app/rest';
import type { Privilege, Role, UserEntity } from '@app/db';
import type { Actor } from '@app/events';

/** The signed-in user of a request. */
export interface Principal {
  id: string;
  username: string;
  role: Role;
  privileges: Privilege[];
  /** The OAuth2 session the request's token belongs to, if it came from an OAuth2 sign-in. */
  sessionId?: string;
}

export const isAdmin = (p: Principal) => p.role === 'org_admin';

export function toPrincipal(u: UserEntity): Principal {
  return { id: u.id, username: u.username, role: u.role, privileges: u.privileges };
}

export const actorOf = (p: Principal): Actor => ({ username: p.username, userId: p.id });

export function requireAdmin(p: Principal): void {
  if (!isAdmin(p)) throw DomainError.forbidden('This operation requires an administrator.');
}

/** Administrators hold every privilege. */
export function requirePrivilege(p: Principal, privilege: Privilege): void {
  if (!isAdmin(p) && !p.privileges.includes(privilege)) {
    throw DomainError.forbidden(`This operation requires the '${privilege}' privilege.`);
  }
}

/** Owners act on their own things; administrators on everyone's. */
export function requireSelfOrAdmin(p: Principal, username: string): void {
  if (!isAdmin(p) && p.username.toLowerCase() !== username.toLowerCase()) throw DomainError.forbidden();
}

export const IS_PUBLIC = 'isPublic';
/** Marks a route that needs no token (health, generateToken, inbound webhook receivers). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

export const IS_OPTIONAL_AUTH = 'isOptionalAuth';
/** Marks a route anyone may call; a token, if sent, is checked and makes the caller known (public items, search). */
export const OptionalAuth = () => SetMetadata(IS_OPTIONAL_AUTH, true);

/** The caller of an @OptionalAuth() route: null when anonymous. */
export const CurrentUserOrNull = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal | null => {
  return ctx.switchToHttp().getRequest().principal ?? null;
});

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest().principal;
});
