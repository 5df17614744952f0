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
