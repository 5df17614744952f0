import { z } from 'zod';
import { zBool, zCsv } from '@app/rest';

export const AddItemDto = z.object({
  type: z.string().optional().default('Notebook'),
  title: z.string().min(1).max(256),
  tags: zCsv.optional().default([]),
  snippet: z.string().max(2048).optional().default(''),
  description: z.string().optional().default(''),
  text: z.string().optional(),
});

export const UpdateItemDto = z.object({
  title: z.string().min(1).max(256).optional(),
  tags: zCsv.optional(),
  snippet: z.string().max(2048).optional(),
  description: z.string().optional(),
  text: z.string().optional(),
});

export const ShareItemDto = z.object({
  everyone: zBool.optional(),
  org: zBool.optional(),
  groups: zCsv.optional().default([]),
});

export const UnshareItemDto = z.object({ groups: zCsv.optional().default([]) });
export const ReassignItemDto = z.object({ targetUsername: z.string().min(1), targetFolderName: z.string().optional() });
export const MoveItemDto = z.object({ folder: z.string().max(128).optional().default('/') });
