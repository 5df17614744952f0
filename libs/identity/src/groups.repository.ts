import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { GroupEntity, GroupMemberEntity, MemberType } from '@app/db';
import { parseSearchQuery, SearchParams, searchOrder, searchRows, searchSql, SqlParams } from '@app/rest';
import { isAdmin, Principal } from './principal';
import { GROUP_SORT, groupSearchSpec } from './search/community-search';

/**
 * Who may see a group, as SQL over `groups g`: administrators all, signed-in users organization and public groups
 * and their own, anonymous callers public groups. The one place group read access is decided.
 */
export function groupReadableSql(p: Principal | null, params: SqlParams): string {
  if (p && isAdmin(p)) return 'TRUE';
  if (!p) return `g.access = 'public'`;
  return `(g.access IN ('org', 'public') OR g.id IN (SELECT gm.group_id FROM group_members gm WHERE gm.user_id = ${params.add(p.id)}))`;
}

@Injectable()
export class GroupsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private m(m?: EntityManager) {
    return m ?? this.ds.manager;
  }

  findById(id: string, m?: EntityManager): Promise<GroupEntity | null> {
    return this.m(m).findOneBy(GroupEntity, { id });
  }

  async isReadable(id: string, p: Principal | null): Promise<boolean> {
    const params = new SqlParams();
    const idParam = params.add(id);
    return (await this.ds.query(`SELECT 1 FROM groups g WHERE g.id = ${idParam} AND ${groupReadableSql(p, params)}`, params.values)).length > 0;
  }

  /** community/groups: groups the caller may see, one page at a time. */
  async search(p: Principal | null, q: SearchParams, orgId: string): Promise<{ total: number; rows: Array<{ group: GroupEntity; owner: string }> }> {
    const params = new SqlParams();
    const where = `${searchSql(parseSearchQuery(q.q), groupSearchSpec(orgId), params)} AND ${groupReadableSql(p, params)}`;
    const { total, rows: page } = await searchRows<{ id: string; owner: string }>((sql, v) => this.ds.query(sql, v), {
      select: 'g.id, u.username AS owner',
      from: `FROM groups g JOIN users u ON u.id = g.owner_id WHERE ${where}`,
      order: searchOrder(q, GROUP_SORT, 'lower(g.title)', 'g.id'),
      params,
      start: q.start,
      num: q.num,
    });
    const groups = new Map((await this.ds.manager.findBy(GroupEntity, { id: In(page.map((r) => r.id)) })).map((g) => [g.id, g]));
    return { total, rows: page.filter((r) => groups.has(r.id)).map((r) => ({ group: groups.get(r.id)!, owner: r.owner })) };
  }

  /** The groups a user belongs to, with their membership type. */
  async membershipsOf(userId: string): Promise<Array<{ group: GroupEntity; memberType: MemberType; owner: string }>> {
    const rows: Array<{ id: string; memberType: MemberType; owner: string }> = await this.ds.query(
      `SELECT gm.group_id AS id, gm.member_type AS "memberType", u.username AS owner
         FROM group_members gm JOIN groups g ON g.id = gm.group_id JOIN users u ON u.id = g.owner_id WHERE gm.user_id = $1`,
      [userId],
    );
    const groups = new Map((await this.ds.manager.findBy(GroupEntity, { id: In(rows.map((r) => r.id)) })).map((g) => [g.id, g]));
    return rows.filter((r) => groups.has(r.id)).map((r) => ({ group: groups.get(r.id)!, memberType: r.memberType, owner: r.owner }));
  }

  async memberType(groupId: string, userId: string): Promise<MemberType | null> {
    return (await this.ds.manager.findOneBy(GroupMemberEntity, { groupId, userId }))?.memberType ?? null;
  }

  async existingIds(ids: string[]): Promise<string[]> {
    if (!ids.length) return [];
    const rows = await this.ds.manager.createQueryBuilder(GroupEntity, 'g').select('g.id', 'id').where('g.id IN (:...ids)', { ids }).getRawMany();
    return rows.map((r: { id: string }) => r.id);
  }

  save(g: GroupEntity, m?: EntityManager): Promise<GroupEntity> {
    return this.m(m).save(GroupEntity, g);
  }

  async delete(id: string, m?: EntityManager): Promise<void> {
    await this.m(m).delete(GroupEntity, { id });
  }

  members(groupId: string, m?: EntityManager): Promise<Array<GroupMemberEntity & { username: string }>> {
    return this.m(m).query(
      `SELECT gm.group_id AS "groupId", gm.user_id AS "userId", gm.member_type AS "memberType", gm.joined, u.username
         FROM group_members gm JOIN users u ON u.id = gm.user_id WHERE gm.group_id = $1 ORDER BY u.username`,
      [groupId],
    );
  }

  /** Ids of the groups a user belongs to. */
  async groupIdsOf(userId: string, m?: EntityManager): Promise<string[]> {
    const rows = await this.m(m).findBy(GroupMemberEntity, { userId });
    return rows.map((r) => r.groupId);
  }

  async addMembers(groupId: string, userIds: string[], type: MemberType, m?: EntityManager): Promise<void> {
    if (!userIds.length) return;
    await this.m(m)
      .createQueryBuilder()
      .insert()
      .into(GroupMemberEntity)
      .values(userIds.map((userId) => ({ groupId, userId, memberType: type })))
      .orIgnore()
      .execute();
  }

  async removeMembers(groupId: string, userIds: string[], m?: EntityManager): Promise<void> {
    if (!userIds.length) return;
    await this.m(m)
      .createQueryBuilder()
      .delete()
      .from(GroupMemberEntity)
      .where('group_id = :groupId AND user_id IN (:...userIds)', { groupId, userIds })
      .execute();
  }

  async setMemberType(groupId: string, userId: string, type: MemberType, m?: EntityManager): Promise<void> {
    await this.m(m).update(GroupMemberEntity, { groupId, userId }, { memberType: type });
  }
}
