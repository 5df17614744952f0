import { z } from 'zod';
import { PRIVILEGES, Role } from '@app/db';
import { zCsv, zInt } from '@app/rest';
import { zUserType } from '../user-types/user-types';

const ROLE_ALIASES: Record<string, Role> = {
  org_admin: 'org_admin',
  org_publisher: 'org_publisher',
  org_user: 'org_user',
  account_admin: 'org_admin',
  account_publisher: 'org_publisher',
  account_user: 'org_user',
};
export const zRole = z
  .string()
  .transform((r, ctx) => {
    const role = ROLE_ALIASES[r];
    if (!role) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be org_admin, org_publisher or org_user' });
    return role ?? z.NEVER;
  });

/** Accepts `scheduleNotebooks` or the product's long form `premium:user:scheduleNotebooks`. */
export const zPrivileges = zCsv.pipe(
  z.array(z.string().transform((p) => p.split(':').pop()!).pipe(z.enum(PRIVILEGES))),
);

export const zUsername = z.string().regex(/^[A-Za-z0-9_.@-]{3,128}$/, 'must be 3-128 letters, digits, _ . @ -');

export const GenerateTokenDto = z.object({
  username: z.string().min(1),
  password: z.string().min(1),
  expiration: zInt.pipe(z.number().min(1)).optional(),
});

export const CreateUserDto = z.object({
  username: zUsername,
  password: z.string().min(8, 'must be at least 8 characters'),
  firstname: z.string().max(128).optional(),
  lastname: z.string().max(128).optional(),
  fullname: z.string().max(256).optional(),
  email: z.string().email().or(z.literal('')).optional(),
  role: zRole.optional().default('org_user'),
  privileges: zPrivileges.optional(),
  userLicenseTypeId: zUserType.optional(),
});

export const UpdateUserDto = z.object({
  fullname: z.string().max(256).optional(),
  firstname: z.string().max(128).optional(),
  lastname: z.string().max(128).optional(),
  email: z.string().email().or(z.literal('')).optional(),
  password: z.string().min(8, 'must be at least 8 characters').optional(),
  privileges: zPrivileges.optional(),
});

/** updateuserrole's `role`: a built-in role (or its alias), or a custom role's id (libs/identity/src/roles). */
const zRoleOrCustom = z.string().transform((r, ctx): { role: Role } | { customRoleId: string } => {
  if (ROLE_ALIASES[r]) return { role: ROLE_ALIASES[r] };
  if (/^[A-Za-z0-9]{16}$/.test(r)) return { customRoleId: r }; // createRole's ids
  ctx.addIssue({ code: z.ZodIssueCode.custom, message: "must be org_admin, org_publisher, org_user or a custom role's id" });
  return z.NEVER;
});
export const UpdateRoleDto = z.object({ user: zUsername, role: zRoleOrCustom });
