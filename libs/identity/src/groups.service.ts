import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { GroupEntity, newId } from '@app/db';
import { EventsService } from '@app/events';
import { DomainError } from '@app/rest';
import { CreateGroupDto, UpdateGroupDto } from './dto/groups.dto';
import { GroupsRepository } from './groups.repository';
import { actorOf, isAdmin, Principal } from './principal';
import { UsersRepository } from './users.repository';

/** Groups are managed by administrators; members (and, for org or public groups, everyone) read them. */
@Injectable()
export class GroupsService {
  constructor(
    private readonly groups: GroupsRepository,
    private readonly users: UsersRepository,
    private readonly events: EventsService,
  ) {}

  async get(p: Principal, id: string): Promise<GroupEntity> {
    const g = await this.groups.findById(id);
    if (!g) throw DomainError.notFound('Group', id);
    if (isAdmin(p) || g.access !== 'private' || (await this.groups.isMember(id, p.id))) return g;
    throw DomainError.notFound('Group', id);
  }

  members(id: string) {
    return this.groups.members(id);
  }

  async create(p: Principal, dto: z.infer<typeof CreateGroupDto>): Promise<GroupEntity> {
    const g = Object.assign(new GroupEntity(), { id: newId(), ownerId: p.id, isProtected: false, ...dto });
    return this.events.transaction(async (m, record) => {
      await this.groups.save(g, m);
      await this.groups.addMembers(g.id, [p.id], 'owner', m);
      await record(actorOf(p), { source: 'group', operation: 'add', targetId: g.id });
      return g;
    });
  }

  async update(p: Principal, id: string, dto: z.infer<typeof UpdateGroupDto>): Promise<GroupEntity> {
    const g = await this.get(p, id);
    for (const [k, v] of Object.entries(dto)) if (v !== undefined) (g as unknown as Record<string, unknown>)[k] = v;
    return this.events.transaction(async (m, record) => {
      await this.groups.save(g, m);
      await record(actorOf(p), { source: 'group', operation: 'update', targetId: g.id });
      return g;
    });
  }

  async delete(p: Principal, id: string): Promise<void> {
    const g = await this.get(p, id);
    if (g.isProtected) throw DomainError.conflict('GROUP_PROTECTED', 'This group is protected from deletion; unprotect it first.');
    await this.events.transaction(async (m, record) => {
      await this.groups.delete(id, m);
      await record(actorOf(p), { source: 'group', operation: 'delete', targetId: id });
    });
  }

  async setProtected(p: Principal, id: string, isProtected: boolean): Promise<void> {
    const g = await this.get(p, id);
    g.isProtected = isProtected;
    await this.events.transaction(async (m, record) => {
      await this.groups.save(g, m);
      await record(actorOf(p), { source: 'group', operation: isProtected ? 'protect' : 'unprotect', targetId: id });
    });
  }

  /** Adds users; answers which names were not added (unknown users), as the sharing API does. */
  async addUsers(p: Principal, id: string, usernames: string[]): Promise<{ notAdded: string[] }> {
    await this.get(p, id);
    const found = await this.users.findByUsernames(usernames);
    const notAdded = usernames.filter((n) => !found.some((u) => u.username.toLowerCase() === n.toLowerCase()));
    if (found.length) {
      await this.events.transaction(async (m, record) => {
        await this.groups.addMembers(id, found.map((u) => u.id), 'member', m);
        await record(actorOf(p), {
          source: 'group',
          operation: 'addUsers',
          targetId: id,
          properties: { addedUserNames: found.map((u) => u.username) },
        });
      });
    }
    return { notAdded };
  }

  async removeUsers(p: Principal, id: string, usernames: string[]): Promise<{ notRemoved: string[] }> {
    const g = await this.get(p, id);
    const found = (await this.users.findByUsernames(usernames)).filter((u) => u.id !== g.ownerId);
    const notRemoved = usernames.filter((n) => !found.some((u) => u.username.toLowerCase() === n.toLowerCase()));
    if (found.length) {
      await this.events.transaction(async (m, record) => {
        await this.groups.removeMembers(id, found.map((u) => u.id), m);
        await record(actorOf(p), {
          source: 'group',
          operation: 'removeUsers',
          targetId: id,
          properties: { removedUserNames: found.map((u) => u.username) },
        });
      });
    }
    return { notRemoved };
  }

  async reassign(p: Principal, id: string, targetUsername: string): Promise<void> {
    const g = await this.get(p, id);
    const target = await this.users.findByUsername(targetUsername);
    if (!target) throw DomainError.notFound('User', targetUsername);
    await this.events.transaction(async (m, record) => {
      const previous = g.ownerId;
      g.ownerId = target.id;
      await this.groups.save(g, m);
      await this.groups.addMembers(id, [target.id], 'owner', m);
      await this.groups.setMemberType(id, target.id, 'owner', m);
      if (previous !== target.id) await this.groups.setMemberType(id, previous, 'admin', m);
      await record(actorOf(p), { source: 'group', operation: 'reassign', targetId: id, properties: { reassignedTo: [target.username] } });
    });
  }
}
