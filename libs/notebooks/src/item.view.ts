import type { ItemEntity } from '@app/db';

/** The typeKeywords of each item type: derived from the type, never stored. */
export const TYPE_KEYWORDS: Record<string, string[]> = { Notebook: ['Notebook', 'Python'] };

/** The item JSON of the sharing API. */
export function itemView(i: ItemEntity, owner: string, orgId: string) {
  return {
    id: i.id,
    owner,
    title: i.title,
    type: i.type,
    typeKeywords: TYPE_KEYWORDS[i.type] ?? [],
    tags: i.tags,
    snippet: i.snippet,
    description: i.description,
    access: i.access,
    size: i.size,
    ownerFolder: i.ownerFolder,
    orgId,
    created: i.created.getTime(),
    modified: i.modified.getTime(),
  };
}
