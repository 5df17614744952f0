import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { ItemEntity, ItemShareEntity } from '@app/db';
import { isAdmin, Principal } from '@app/identity';
import { parseSearchQuery, SearchParams, searchOrder, searchRows, searchSql, SqlParams } from '@app/rest';
import { ITEM_SORT, itemSearchSpec } from './search/item-search';

/**
 * Who may read an item, as SQL over `items i`: administrators everything, owners their own, signed-in users what is
 * shared with the organization, the public or a group of theirs, anonymous callers public items. The one place
 * item read access is decided.
 */
export function readableSql(p: Principal | null, params: SqlParams): string {
  if (p && isAdmin(p)) return 'TRUE';
  if (!p) return `i.access = 'public'`;
  const me = params.add(p.id);
  // not correlated: Postgres computes the shared ids once per query, not once per row
  return `(i.owner_id = ${me} OR i.access IN ('org', 'public') OR i.id IN (
    SELECT s.item_id FROM item_group_shares s JOIN group_members gm ON gm.group_id = s.group_id WHERE gm.user_id = ${me}))`;
}

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

  async isReadable(id: string, p: Principal | null): Promise<boolean> {
    const params = new SqlParams();
    const idParam = params.add(id);
    const rows = await this.ds.query(`SELECT 1 FROM items i WHERE i.id = ${idParam} AND ${readableSql(p, params)}`, params.values);
    return rows.length > 0;
  }

  /** The portal search over items the caller may read; never loads more rows than one page. */
  async search(
    p: Principal | null,
    q: SearchParams,
    orgId: string,
    groupId?: string,
  ): Promise<{ total: number; rows: Array<{ item: ItemEntity; owner: string }> }> {
    const params = new SqlParams();
    let where = `${searchSql(parseSearchQuery(q.q), itemSearchSpec(orgId), params)} AND ${readableSql(p, params)}`;
    if (groupId) where += ` AND i.id IN (SELECT gs.item_id FROM item_group_shares gs WHERE gs.group_id = ${params.add(groupId)})`;
    const { total, rows: page } = await searchRows<{ id: string; owner: string }>((sql, v) => this.ds.query(sql, v), {
      select: 'i.id, u.username AS owner',
      from: `FROM items i JOIN users u ON u.id = i.owner_id WHERE ${where}`,
      order: searchOrder(q, ITEM_SORT, 'i.modified DESC', 'i.id'),
      params,
      start: q.start,
      num: q.num,
    });
    const items = await this.ds.manager.findBy(ItemEntity, { id: In(page.map((r) => r.id)) });
    const byId = new Map(items.map((i) => [i.id, i]));
    return { total, rows: page.filter((r) => byId.has(r.id)).map((r) => ({ item: byId.get(r.id)!, owner: r.owner })) };
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
