import type { ItemEntity } from '@app/db';

/** The item JSON of the sharing API. */
export function itemView(i: ItemEntity, owner: string) {
  return {
    id: i.id,
    owner,
    title: i.title,
    type: i.type,
    typeKeywords: ['Notebook', 'Python'],
    tags: i.tags,
    snippet: i.snippet,
    description: i.description,
    access: i.access,
    size: i.size,
    ownerFolder: i.ownerFolder,
    created: i.created.getTime(),
    modified: i.modified.getTime(),
  };
}
