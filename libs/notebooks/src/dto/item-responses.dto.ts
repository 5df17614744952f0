import { z } from 'zod';
import { pagingFields, searchPageOf, successWith, zMillis } from '@app/rest';

/** Response shapes of the content routes (items, sharing, comments, search), for the OpenAPI document (`@Returns`). */

export const ItemJson = z.object({
  id: z.string(),
  owner: z.string(),
  title: z.string(),
  type: z.string(),
  typeKeywords: z.array(z.string()),
  tags: z.array(z.string()),
  snippet: z.string().nullable(),
  description: z.string().nullable(),
  access: z.string(),
  size: z.number().int(),
  ownerFolder: z.string().nullable(),
  orgId: z.string(),
  created: zMillis,
  modified: zMillis,
});

export const ItemAddedJson = successWith({ id: z.string(), folder: z.null() });
export const ItemListJson = z.object({ username: z.string(), ...pagingFields, items: z.array(ItemJson) });
/** A notebook's JSON (nbformat 4), as stored: open-ended. */
export const ItemDataJson = z.object({ cells: z.array(z.unknown()), nbformat: z.number().int() }).passthrough();
export const ItemUpdatedJson = successWith({ id: z.string() });
export const ItemDoneJson = successWith({ itemId: z.string() });
export const ItemSharedJson = z.object({ notSharedWith: z.array(z.string()), itemId: z.string() });
export const ItemUnsharedJson = z.object({ notUnsharedFrom: z.array(z.string()), itemId: z.string() });
export const ItemMovedJson = successWith({ itemId: z.string(), owner: z.string(), folder: z.string() });
export const OwnedItemJson = z.object({ item: ItemJson, sharing: z.object({ access: z.string(), groups: z.array(z.string()) }) });

const itemError = z.object({ code: z.number().int(), messageCode: z.string(), message: z.string() });
const bulkResult = (done: z.ZodRawShape) =>
  z.object({ results: z.array(z.union([z.object({ itemId: z.string(), success: z.literal(true), ...done }), z.object({ itemId: z.string(), success: z.literal(false), error: itemError })])) });
export const ItemsSharedJson = bulkResult({ notSharedWith: z.array(z.string()) });
export const ItemsUnsharedJson = bulkResult({ notUnsharedFrom: z.array(z.string()) });

export const ItemSearchJson = searchPageOf(ItemJson);

export const CommentJson = z.object({ id: z.string(), owner: z.string(), comment: z.string(), created: zMillis, modified: zMillis });
export const CommentDoneJson = successWith({ commentId: z.string() });
export const CommentListJson = z.object({ ...pagingFields, comments: z.array(CommentJson) });
