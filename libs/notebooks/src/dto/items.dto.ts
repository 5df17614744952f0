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

/** `account` is the older name of `org`; `groups` may start with an empty entry (`,g1`); confirmItemControl is accepted. */
const shareFields = {
  everyone: zBool.optional(),
  org: zBool.optional(),
  account: zBool.optional(),
  groups: zCsv.optional().default([]),
  confirmItemControl: zBool.optional(),
};
const withOrg = <T extends { org?: boolean; account?: boolean }>(d: T) => ({ ...d, org: d.org ?? d.account });

export const ShareItemDto = z.object(shareFields).transform(withOrg);
export const ShareItemsDto = z.object({ ...shareFields, items: zCsv.pipe(z.array(z.string()).min(1, 'name at least one item')) }).transform(withOrg);
export const UnshareItemsDto = z.object({ items: zCsv.pipe(z.array(z.string()).min(1, 'name at least one item')), groups: zCsv.optional().default([]) });

export const UnshareItemDto = z.object({ groups: zCsv.optional().default([]) });
export const ReassignItemDto = z.object({ targetUsername: z.string().min(1), targetFolderName: z.string().optional() });
export const MoveItemDto = z.object({ folder: z.string().max(128).optional().default('/') });
