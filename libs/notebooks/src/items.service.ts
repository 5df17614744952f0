import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { z } from 'zod';
import { APP_CONFIG, AppConfig } from '@app/config';
import { ItemEntity, newId } from '@app/db';
import { EventsService } from '@app/events';
import { actorOf, GroupsRepository, isAdmin, Principal, UsersRepository } from '@app/identity';
import { DomainError, SearchParams } from '@app/rest';
import { AddItemDto, ShareItemDto, UpdateItemDto } from './dto/items.dto';
import { ItemsRepository } from './items.repository';
import { parseNotebook } from './nbformat';
import { upgradeFromV3 } from './nbformat-v3';

export const NOTEBOOK_TYPE = 'Notebook';

/** Other capabilities (tasks) that must act in the same transaction when an item changes hands or goes. */
export interface ItemHooks {
  onReassigned?(itemId: string, newOwnerId: string, m: EntityManager): Promise<void>;
  onDeleted?(itemId: string, m: EntityManager): Promise<void>;
}

@Injectable()
export class ItemsService {
  private readonly hooks: ItemHooks[] = [];

  constructor(
    private readonly items: ItemsRepository,
    private readonly users: UsersRepository,
    private readonly groups: GroupsRepository,
    private readonly events: EventsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  registerHooks(h: ItemHooks): void {
    this.hooks.push(h);
  }

  /** Reads an item the caller (null: anonymous) may see; anything else looks like it does not exist. */
  async get(p: Principal | null, id: string): Promise<ItemEntity> {
    const item = await this.items.findById(id);
    if (!item || !(await this.canRead(p, item))) throw DomainError.notFound('Item', id);
    return item;
  }

  /** Reads an item the principal may change (owner or administrator). */
  async getForChange(p: Principal, id: string): Promise<ItemEntity> {
    const item = await this.get(p, id);
    if (!isAdmin(p) && item.ownerId !== p.id) throw DomainError.forbidden('Only the owner or an administrator can change this item.');
    return item;
  }

  /** The notebook text, for a principal who may read it. */
  async getData(p: Principal | null, id: string): Promise<string> {
    await this.get(p, id);
    return (await this.items.findData(id)) ?? '';
  }

  /** The notebook text for internal use (runs): no access check. */
  async dataOf(id: string): Promise<string | null> {
    return this.items.findData(id);
  }

  findById(id: string): Promise<ItemEntity | null> {
    return this.items.findById(id);
  }

  async add(p: Principal, ownerName: string, dto: z.infer<typeof AddItemDto>, file?: Buffer): Promise<ItemEntity> {
    const owner = await this.ownerFor(p, ownerName);
    if (dto.type !== NOTEBOOK_TYPE) {
      throw DomainError.invalid('UNSUPPORTED_TYPE', `Only items of type '${NOTEBOOK_TYPE}' are supported (got '${dto.type}').`);
    }
    const text = this.validContent(file ? file.toString('utf8') : dto.text);
    if (text === undefined) throw DomainError.invalid('NO_CONTENT', 'A notebook is required: send it as the file part or the text field.');
    const item = Object.assign(new ItemEntity(), {
      id: newId(),
      ownerId: owner.id,
      type: NOTEBOOK_TYPE,
      title: dto.title,
      tags: dto.tags,
      snippet: dto.snippet,
      description: dto.description,
      access: 'private',
      ownerFolder: null,
      data: text,
      size: Buffer.byteLength(text),
    });
    await this.events.transaction(async (m, record) => {
      await this.items.insert(item, m);
      await record(actorOf(p), { source: 'item', operation: 'add', targetId: item.id });
    });
    return (await this.items.findById(item.id))!;
  }

  async update(p: Principal, id: string, dto: z.infer<typeof UpdateItemDto>, file?: Buffer): Promise<void> {
    await this.getForChange(p, id);
    const text = this.validContent(file ? file.toString('utf8') : dto.text);
    const patch: Partial<ItemEntity> = {};
    for (const k of ['title', 'tags', 'snippet', 'description'] as const) if (dto[k] !== undefined) (patch as Record<string, unknown>)[k] = dto[k];
    if (text !== undefined) Object.assign(patch, { data: text, size: Buffer.byteLength(text) });
    await this.events.transaction(async (m, record) => {
      await this.items.update(id, { ...patch, modified: new Date() }, m);
      await record(actorOf(p), { source: 'item', operation: 'update', targetId: id });
    });
  }

  /** Replaces the notebook after a run (updatePortalItem); records an update by the run's user. */
  async saveRunOutput(actor: { username: string; userId: string }, id: string, text: string): Promise<void> {
    await this.events.transaction(async (m, record) => {
      await this.items.update(id, { data: text, size: Buffer.byteLength(text), modified: new Date() }, m);
      await record(actor, { source: 'item', operation: 'update', targetId: id });
    });
  }

  async delete(p: Principal, id: string): Promise<void> {
    await this.getForChange(p, id);
    await this.events.transaction(async (m, record) => {
      for (const h of this.hooks) await h.onDeleted?.(id, m);
      await this.items.delete(id, m);
      await record(actorOf(p), { source: 'item', operation: 'delete', targetId: id });
    });
  }

  async share(p: Principal, id: string, dto: z.infer<typeof ShareItemDto>): Promise<{ notSharedWith: string[] }> {
    const item = await this.getForChange(p, id);
    // Users share only into groups they belong to; administrators into any group.
    const memberOf = isAdmin(p) ? [] : await this.groups.groupIdsOf(p.id);
    const groups = (await this.groups.existingIds(dto.groups)).filter((g) => isAdmin(p) || memberOf.includes(g));
    const notSharedWith = dto.groups.filter((g) => !groups.includes(g));
    const before = await this.items.sharedGroupIds(id);
    let access = item.access;
    if (dto.everyone === true) access = 'public';
    else if (dto.org === true) access = 'org';
    else if (dto.everyone === false && dto.org === false) access = 'private';
    else if (dto.everyone === false && access === 'public') access = 'org';
    const shared: string[] = [];
    if (access === 'public' && item.access !== 'public') shared.push('Everyone');
    if (access === 'org' && item.access === 'private') shared.push('Organization');
    shared.push(...groups.filter((g) => !before.includes(g)));
    const unshared: string[] = [];
    if (item.access === 'public' && access !== 'public') unshared.push('Everyone');
    if (item.access === 'org' && access === 'private') unshared.push('Organization');
    const added = groups.filter((g) => !before.includes(g));
    await this.events.transaction(async (m, record) => {
      await this.items.update(id, { access }, m);
      await this.items.addShares(id, groups, m);
      if (shared.length) {
        await record(actorOf(p), { source: 'item', operation: 'share', targetId: id, properties: { sharedToGroups: shared } });
      }
      if (unshared.length) {
        await record(actorOf(p), { source: 'item', operation: 'unshare', targetId: id, properties: { unsharedFromGroups: unshared } });
      }
      // each group hears of the item it gained
      for (const g of added) {
        await record(actorOf(p), { source: 'group', operation: 'itemShare', targetId: g, properties: { sharedItems: [{ itemId: id, itemType: item.type }] } });
      }
    });
    return { notSharedWith };
  }

  async unshare(p: Principal, id: string, groupIds: string[]): Promise<{ notUnsharedFrom: string[] }> {
    const item = await this.getForChange(p, id);
    const before = await this.items.sharedGroupIds(id);
    const removed = groupIds.filter((g) => before.includes(g));
    if (removed.length) {
      await this.events.transaction(async (m, record) => {
        await this.items.removeShares(id, removed, m);
        await record(actorOf(p), { source: 'item', operation: 'unshare', targetId: id, properties: { unsharedFromGroups: removed } });
        for (const g of removed) {
          await record(actorOf(p), { source: 'group', operation: 'itemUnshare', targetId: g, properties: { unsharedItems: [{ itemId: id, itemType: item.type }] } });
        }
      });
    }
    return { notUnsharedFrom: groupIds.filter((g) => !removed.includes(g)) };
  }

  /** Administrators give an item to another user; tasks of the item follow, deactivated. */
  async reassign(p: Principal, id: string, targetUsername: string, folder?: string): Promise<void> {
    if (!isAdmin(p)) throw DomainError.forbidden('Only administrators can reassign items.');
    await this.get(p, id);
    const target = await this.users.findByUsername(targetUsername);
    if (!target) throw DomainError.notFound('User', targetUsername);
    await this.events.transaction(async (m, record) => {
      await this.items.update(id, { ownerId: target.id, ownerFolder: folder && folder !== '/' ? folder : null, modified: new Date() }, m);
      for (const h of this.hooks) await h.onReassigned?.(id, target.id, m);
      await record(actorOf(p), { source: 'item', operation: 'reassign', targetId: id, properties: { reassignedTo: [target.username] } });
    });
  }

  async move(p: Principal, id: string, folder: string): Promise<ItemEntity> {
    const item = await this.getForChange(p, id);
    await this.events.transaction(async (m, record) => {
      await this.items.update(id, { ownerFolder: folder === '/' ? null : folder }, m);
      await record(actorOf(p), { source: 'item', operation: 'move', targetId: id });
    });
    return item;
  }

  async listOwnedBy(p: Principal, username: string, start: number, num: number) {
    const owner = await this.ownerFor(p, username);
    return this.items.pageByOwner(owner.id, start, num);
  }

  canRead(p: Principal | null, item: ItemEntity): Promise<boolean> {
    return this.items.isReadable(item.id, p);
  }

  /** Portal search over the items the caller may read; `groupId` keeps it to the items shared with that group. */
  search(p: Principal | null, q: SearchParams, groupId?: string) {
    return this.items.search(p, q, this.config.org.id, groupId);
  }

  /** The item's sharing: its access and the groups it is shared with. */
  async sharingOf(id: string): Promise<{ access: string; groups: string[] }> {
    const item = await this.items.findById(id);
    return { access: item?.access ?? 'private', groups: await this.items.sharedGroupIds(id) };
  }

  private async ownerFor(p: Principal, username: string) {
    if (!isAdmin(p) && p.username.toLowerCase() !== username.toLowerCase()) throw DomainError.forbidden();
    const owner = await this.users.findByUsername(username);
    if (!owner) throw DomainError.notFound('User', username);
    return owner;
  }

  /** Checks size and nbformat (nbformat 3 is upgraded to 4 and stored so); undefined means "no content given". */
  private validContent(text: string | undefined): string | undefined {
    if (text === undefined) return undefined;
    const bytes = Buffer.byteLength(text);
    if (bytes > this.config.limits.maxNotebookBytes) {
      throw new DomainError('too_large', 'NOTEBOOK_TOO_LARGE', `The notebook is ${bytes} bytes; the limit is ${this.config.limits.maxNotebookBytes}.`);
    }
    text = upgradedText(text);
    const { problems } = parseNotebook(text);
    if (problems.length) {
      throw DomainError.invalid('INVALID_NOTEBOOK', `The content is not an nbformat v4 notebook: ${problems[0]}`, problems);
    }
    return text;
  }

}

/** The notebook text to store: nbformat 3 upgraded to 4, anything else as it came (byte for byte). */
function upgradedText(text: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return text; // parseNotebook names the problem
  }
  const upgraded = upgradeFromV3(doc);
  return upgraded === doc ? text : JSON.stringify(upgraded, null, 1);
}
