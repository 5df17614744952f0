import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { UserEntity } from '@app/db';
import { parseSearchQuery, SearchParams, searchOrder, searchRows, searchSql, SqlParams } from '@app/rest';
import { USER_SORT, userSearchSpec } from './search/community-search';

/** Named queries on users; nothing else in the codebase builds user queries. */
@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private repo(m?: EntityManager) {
    return (m ?? this.ds.manager).getRepository(UserEntity);
  }

  findById(id: string, m?: EntityManager): Promise<UserEntity | null> {
    return this.repo(m).findOneBy({ id });
  }

  findByIds(ids: string[]): Promise<UserEntity[]> {
    return ids.length ? this.repo().findBy({ id: In(ids) }) : Promise.resolve([]);
  }

  findByUsername(username: string, m?: EntityManager): Promise<UserEntity | null> {
    return this.repo(m)
      .createQueryBuilder('u')
      .where('lower(u.username) = lower(:username)', { username })
      .getOne();
  }

  findByUsernames(usernames: string[], m?: EntityManager): Promise<UserEntity[]> {
    if (!usernames.length) return Promise.resolve([]);
    return this.repo(m)
      .createQueryBuilder('u')
      .where('lower(u.username) IN (:...names)', { names: usernames.map((n) => n.toLowerCase()) })
      .getMany();
  }

  /** Serialises changes that could leave the organization without an enabled administrator, until the transaction ends. */
  async lockAdmins(m: EntityManager): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('nbautomation:admins'))`);
  }

  countAdmins(m?: EntityManager): Promise<number> {
    return this.repo(m).countBy({ role: 'org_admin', disabled: false });
  }

  async page(start: number, num: number): Promise<{ total: number; rows: UserEntity[] }> {
    const [rows, total] = await this.repo().findAndCount({ order: { username: 'ASC' }, skip: start - 1, take: num });
    return { total, rows };
  }

  /** community/users: one page of the organization's users matching the query. */
  async search(q: SearchParams, orgId: string): Promise<{ total: number; rows: UserEntity[] }> {
    const params = new SqlParams();
    const { total, rows: ids } = await searchRows<{ id: string }>((sql, v) => this.ds.query(sql, v), {
      select: 'u.id',
      from: `FROM users u WHERE ${searchSql(parseSearchQuery(q.q), userSearchSpec(orgId), params)}`,
      order: searchOrder(q, USER_SORT, 'lower(u.username)', 'u.id'),
      params,
      start: q.start,
      num: q.num,
    });
    const byId = new Map((await this.findByIds(ids.map((r) => r.id))).map((u) => [u.id, u]));
    return { total, rows: ids.map((r) => byId.get(r.id)).filter((u): u is UserEntity => !!u) };
  }

  save(user: UserEntity, m?: EntityManager): Promise<UserEntity> {
    return this.repo(m).save(user);
  }

  async delete(id: string, m?: EntityManager): Promise<void> {
    await this.repo(m).delete({ id });
  }

  /** Items and groups the user owns; a user who owns any cannot be deleted. */
  async countOwned(id: string, m?: EntityManager): Promise<number> {
    const [r] = await (m ?? this.ds.manager).query(
      `SELECT (SELECT count(*) FROM items WHERE owner_id = $1) + (SELECT count(*) FROM groups WHERE owner_id = $1) AS n`,
      [id],
    );
    return Number(r.n);
  }
}
