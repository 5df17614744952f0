import type { UserEntity } from '@app/db';

/** The user JSON of the sharing API. */
export function userView(u: UserEntity, orgId: string) {
  return {
    id: u.id,
    username: u.username,
    fullName: u.fullName,
    email: u.email,
    role: u.role,
    privileges: u.privileges,
    disabled: u.disabled,
    orgId,
    created: u.created.getTime(),
    modified: u.modified.getTime(),
  };
}
