import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '@app/clock';
import { ItemCommentEntity, newId } from '@app/db';
import { EventsService } from '@app/events';
import { actorOf, isAdmin, Principal } from '@app/identity';
import { DomainError } from '@app/rest';
import { ItemsService } from '../items.service';

export const commentView = (c: ItemCommentEntity) => ({ id: c.id, owner: c.owner, comment: c.comment, created: c.created.getTime(), modified: c.modified.getTime() });

/**
 * Item comments, raising the seeds' `/items/{id}/addComment`, `updateComment` and `deleteComment` events.
 * Whoever may read an item comments on it; a comment is changed by its author or an administrator, and
 * deleted by its author, the item's owner or an administrator.
 */
@Injectable()
export class CommentsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly items: ItemsService,
    private readonly events: EventsService,
    private readonly clock: Clock,
  ) {}

  async list(p: Principal, itemId: string, start: number, num: number) {
    await this.items.get(p, itemId);
    const [rows, total] = await this.ds.manager.findAndCount(ItemCommentEntity, { where: { itemId }, order: { created: 'ASC', id: 'ASC' }, skip: start - 1, take: num });
    return { total, rows };
  }

  async get(p: Principal, itemId: string, id: string): Promise<ItemCommentEntity> {
    await this.items.get(p, itemId);
    const c = await this.ds.manager.findOneBy(ItemCommentEntity, { id, itemId });
    if (!c) throw DomainError.notFound('Comment', id);
    return c;
  }

  async add(p: Principal, itemId: string, comment: string): Promise<ItemCommentEntity> {
    await this.items.get(p, itemId);
    const now = this.clock.now();
    const c = Object.assign(new ItemCommentEntity(), { id: newId(), itemId, ownerId: p.id, owner: p.username, comment, created: now, modified: now });
    return this.events.transaction(async (m, record) => {
      await m.insert(ItemCommentEntity, c);
      await record(actorOf(p), { source: 'item', operation: 'addComment', targetId: itemId, properties: { commentId: c.id } });
      return c;
    });
  }

  async update(p: Principal, itemId: string, id: string, comment: string): Promise<ItemCommentEntity> {
    const c = await this.get(p, itemId, id);
    if (!isAdmin(p) && c.ownerId !== p.id) throw DomainError.forbidden('Only the author or an administrator can change this comment.');
    Object.assign(c, { comment, modified: this.clock.now() });
    return this.events.transaction(async (m, record) => {
      await m.save(ItemCommentEntity, c);
      await record(actorOf(p), { source: 'item', operation: 'updateComment', targetId: itemId, properties: { commentId: id } });
      return c;
    });
  }

  async delete(p: Principal, itemId: string, id: string): Promise<void> {
    const c = await this.get(p, itemId, id);
    const item = await this.items.get(p, itemId);
    if (!isAdmin(p) && c.ownerId !== p.id && item.ownerId !== p.id) throw DomainError.forbidden('Only the author, the item\'s owner or an administrator can delete this comment.');
    await this.events.transaction(async (m, record) => {
      await m.delete(ItemCommentEntity, { id });
      await record(actorOf(p), { source: 'item', operation: 'deleteComment', targetId: itemId, properties: { commentId: id } });
    });
  }
}
