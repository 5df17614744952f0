import { z } from 'zod';
import { zCsv } from '@app/rest';

const zAccess = z.enum(['private', 'org', 'public']);

export const CreateGroupDto = z.object({
  title: z.string().min(1).max(256),
  access: zAccess.optional().default('private'),
  tags: zCsv.optional().default([]),
  description: z.string().optional().default(''),
  snippet: z.string().max(2048).optional().default(''),
});

export const UpdateGroupDto = z.object({
  title: z.string().min(1).max(256).optional(),
  access: zAccess.optional(),
  tags: zCsv.optional(),
  description: z.string().optional(),
  snippet: z.string().max(2048).optional(),
});

export const GroupUsersDto = z.object({ users: zCsv.pipe(z.array(z.string()).min(1, 'name at least one user')) });
export const ReassignGroupDto = z.object({ targetUsername: z.string().min(1) });

const zNames = zCsv.optional().default([]);
export const AddGroupUsersDto = z
  .object({ users: zNames, admins: zNames })
  .refine((d) => d.users.length + d.admins.length > 0, { message: 'name at least one user (users or admins)', path: ['users'] });

const INVITE_ROLES = { group_member: 'member', group_admin: 'admin' } as const;
export const InviteDto = z.object({
  users: zCsv.pipe(z.array(z.string()).min(1, 'name at least one user')),
  role: z.enum(['group_member', 'group_admin']).optional().default('group_member').transform((r) => INVITE_ROLES[r]),
  expiration: z.unknown().optional(),
});

export const UpdateGroupUsersDto = z
  .object({ admins: zNames, users: zNames })
  .refine((d) => d.users.length + d.admins.length > 0, { message: 'name at least one user (admins or users)', path: ['users'] });
