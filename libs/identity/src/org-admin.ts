import { DomainError } from '@app/rest';
import { Principal, requireAdmin } from './principal';

/** `/portals/{orgId}/…` routes: only this server's organization (or `self`), and only its administrators. */
export function requireOrgAdmin(p: Principal, orgId: string, ourOrgId: string): void {
  requireAdmin(p);
  if (orgId !== 'self' && orgId.toLowerCase() !== ourOrgId.toLowerCase()) throw DomainError.notFound('Organization', orgId);
}
