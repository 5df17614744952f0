import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ItemEntity, ItemShareEntity } from '@app/db';

@Injectable()
export class ItemsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private m(m?: EntityManager) {
    return m ?? this.ds.manager;
  }

  findById(id: string, m?: EntityManager): Promise<ItemEntity | null> {
    return this.m(m).findOneBy(ItemEntity, { id });
  }

  async findData(id: string, m?: EntityManager): Promise<string | null> {
    const row = await this.m(m).createQueryBuilder(ItemEntity, 'i').select('i.data', 'data').where('i.id = :id', { id }).getRawOne();
    return row?.data ?? null;
  }

  async insert(item: ItemEntity, m?: EntityManager): Promise<void> {
    await this.m(m).insert(ItemEntity, item);
  }

  async update(id: string, patch: Partial<ItemEntity>, m?: EntityManager): Promise<void> {
    await this.m(m).update(ItemEntity, { id }, patch);
  }

  async delete(id: string, m?: EntityManager): Promise<void> {
    await this.m(m).delete(ItemEntity, { id });
  }

  async sharedGroupIds(itemId: string, m?: EntityManager): Promise<string[]> {
    return (await this.m(m).findBy(ItemShareEntity, { itemId })).map((s) => s.groupId);
  }

  async addShares(itemId: string, groupIds: string[], m?: EntityManager): Promise<void> {
    if (!groupIds.length) return;
    await this.m(m)
      .createQueryBuilder()
      .insert()
      .into(ItemShareEntity)
      .values(groupIds.map((groupId) => ({ itemId, groupId })))
      .orIgnore()
      .execute();
  }

  async removeShares(itemId: string, groupIds: string[], m?: EntityManager): Promise<void> {
    if (!groupIds.length) return;
    await this.m(m)
      .createQueryBuilder()
      .delete()
      .from(ItemShareEntity)
      .where('item_id = :itemId AND group_id IN (:...groupIds)', { itemId, groupIds })
      .execute();
  }

  /** Whether the item is shared to a group the user belongs to. */
  async sharedWithUser(itemId: string, userId: string): Promise<boolean> {
    const [r] = await this.ds.query(
      `SELECT 1 FROM item_group_shares s JOIN group_members gm ON gm.group_id = s.group_id
        WHERE s.item_id = $1 AND gm.user_id = $2 LIMIT 1`,
      [itemId, userId],
    );
    return !!r;
  }

  async pageByOwner(ownerId: string, start: number, num: number): Promise<{ total: number; rows: ItemEntity[] }> {
    const [rows, total] = await this.ds.manager.findAndCount(ItemEntity, {
      where: { ownerId },
      order: { created: 'DESC' },
      skip: start - 1,
      take: num,
    });
    return { total, rows };
  }
}
