import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { GroupEntity, GroupMemberEntity, MemberType } from '@app/db';

@Injectable()
export class GroupsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private m(m?: EntityManager) {
    return m ?? this.ds.manager;
  }

  findById(id: string, m?: EntityManager): Promise<GroupEntity | null> {
    return this.m(m).findOneBy(GroupEntity, { id });
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

  async isMember(groupId: string, userId: string): Promise<boolean> {
    return (await this.ds.manager.countBy(GroupMemberEntity, { groupId, userId })) > 0;
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
