import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '@app/clock';
import { PRIVILEGES, Privilege, RoleEntity, UserCustomRoleEntity } from '@app/db';
import { EventsService } from '@app/events';
import { DomainError } from '@app/rest';
import { actorOf, Principal } from '../principal';
import { UsersRepository } from '../users.repository';

/** Role ids look like the product's: 16 letters and digits. */
const newRoleId = () => randomBytes(12).toString('base64url').replace(/[-_]/g, 'x').slice(0, 16);

/** The privileges of this server a role's privilege names grant (`premium:user:createNotebooks` → createNotebooks). */
export const effectivePrivileges = (names: string[]): Privilege[] =>
  PRIVILEGES.filter((p) => names.some((n) => n.split(':').pop() === p));

export const roleView = (r: RoleEntity) => ({ id: r.id, name: r.name, description: r.description, created: r.created.getTime(), modified: r.modified.getTime() });

/**
 * Custom roles (`createRole`, `roles/{id}/update|setPrivileges|delete`), raising the seeds' `/roles` events, and
 * their assignment to users, raising `/users/{username}/updateUserRole`. A user given a custom role keeps the
 * built-in `org_user` role and gets the role's privileges that this server has.
 */
@Injectable()
export class RolesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly users: UsersRepository,
    private readonly events: EventsService,
    private readonly clock: Clock,
  ) {}

  async get(id: string, m: EntityManager = this.ds.manager): Promise<RoleEntity> {
    const r = await m.findOneBy(RoleEntity, { id });
    if (!r) throw DomainError.notFound('Role', id);
    return r;
  }

  async list(start: number, num: number) {
    const [rows, total] = await this.ds.manager.findAndCount(RoleEntity, { order: { created: 'ASC', id: 'ASC' }, skip: start - 1, take: num });
    return { total, rows };
  }

  async create(p: Principal, dto: { name: string; description?: string; privileges?: string[] }): Promise<RoleEntity> {
    await this.nameFree(dto.name);
    const now = this.clock.now();
    const role = Object.assign(new RoleEntity(), { id: newRoleId(), name: dto.name, description: dto.description ?? '', privileges: dto.privileges ?? [], created: now, modified: now });
    return this.events.transaction(async (m, record) => {
      await m.insert(RoleEntity, role);
      await record(actorOf(p), { source: 'role', operation: 'add', targetId: role.id, properties: { name: [role.name] } });
      return role;
    });
  }

  /** `update` (name, description) and `setPrivileges` both raise `/roles/update`; holders get the new privileges. */
  async update(p: Principal, id: string, patch: { name?: string; description?: string; privileges?: string[] }): Promise<RoleEntity> {
    const role = await this.get(id);
    if (patch.name !== undefined && patch.name.toLowerCase() !== role.name.toLowerCase()) await this.nameFree(patch.name);
    Object.assign(role, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)), { modified: this.clock.now() });
    return this.events.transaction(async (m, record) => {
      await m.save(RoleEntity, role);
      if (patch.privileges) await this.applyToHolders(m, role);
      await record(actorOf(p), { source: 'role', operation: 'update', targetId: role.id, properties: { name: [role.name] } });
      return role;
    });
  }

  /** Refused while users hold the role (as the product does): give them another role first. */
  async delete(p: Principal, id: string): Promise<void> {
    const role = await this.get(id);
    await this.events.transaction(async (m, record) => {
      const holders = await m.countBy(UserCustomRoleEntity, { roleId: id });
      if (holders) throw DomainError.conflict('ROLE_IN_USE', `Role '${role.name}' is assigned to ${holders} user(s); assign them another role first.`);
      await m.delete(RoleEntity, { id });
      await record(actorOf(p), { source: 'role', operation: 'delete', targetId: id, properties: { name: [role.name] } });
    });
  }

  /** Gives each user the role (administrators are refused: demote them with updateuserrole first). */
  async assign(p: Principal, id: string, usernames: string[]): Promise<string[]> {
    const role = await this.get(id);
    const found = await this.users.findByUsernames(usernames);
    const missing = usernames.filter((u) => !found.some((f) => f.username.toLowerCase() === u.toLowerCase()));
    if (missing.length) throw DomainError.notFound('User', missing.join(', '));
    const admins = found.filter((u) => u.role === 'org_admin').map((u) => u.username);
    if (admins.length) throw DomainError.conflict('IS_ADMIN', `${admins.join(', ')}: administrators hold every privilege; give them the org_user role first (updateuserrole).`);
    return this.events.transaction(async (m, record) => {
      for (const u of found) {
        await m.upsert(UserCustomRoleEntity, { userId: u.id, roleId: id }, ['userId']);
        u.privileges = effectivePrivileges(role.privileges);
        await this.users.save(u, m);
        await record(actorOf(p), { source: 'user', operation: 'updateUserRole', targetId: u.username, properties: { userRoleUpdatedTo: [role.id] } });
      }
      return found.map((u) => u.username);
    });
  }

  private async applyToHolders(m: EntityManager, role: RoleEntity): Promise<void> {
    const holders = await m.findBy(UserCustomRoleEntity, { roleId: role.id });
    for (const h of holders) {
      const u = await this.users.findById(h.userId, m);
      if (!u || u.role === 'org_admin') continue;
      u.privileges = effectivePrivileges(role.privileges);
      await this.users.save(u, m);
    }
  }

  private async nameFree(name: string): Promise<void> {
    const taken = await this.ds.manager.createQueryBuilder(RoleEntity, 'r').where('lower(r.name) = lower(:name)', { name }).getCount();
    if (taken) throw DomainError.conflict('ROLE_EXISTS', `A role named '${name}' already exists.`);
  }
}
