import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { APP_CONFIG, AppConfig } from '@app/config';
import { GroupEntity, MemberType, newId } from '@app/db';
import { EventsService } from '@app/events';
import { DomainError, SearchParams } from '@app/rest';
import { CreateGroupDto, UpdateGroupDto } from './dto/groups.dto';
import { GroupsRepository } from './groups.repository';
import { actorOf, Principal } from './principal';
import { UsersRepository } from './users.repository';

/** Groups are managed by administrators; members (and, for org or public groups, everyone) read them. */
@Injectable()
export class GroupsService {
  constructor(
    private readonly groups: GroupsRepository,
    private readonly users: UsersRepository,
    private readonly events: EventsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async get(p: Principal | null, id: string): Promise<GroupEntity> {
    const g = await this.groups.findById(id);
    if (!g || !(await this.groups.isReadable(id, p))) throw DomainError.notFound('Group', id);
    return g;
  }

  search(p: Principal | null, q: SearchParams) {
    return this.groups.search(p, q, this.config.org.id);
  }

  /** `groups/{id}/users`: the owner, the administrators (owner included) and the other members, by username. */
  async roster(p: Principal, id: string): Promise<{ owner: string; admins: string[]; users: string[] }> {
    const g = await this.get(p, id);
    const members = await this.groups.members(id);
    return {
      owner: members.find((m) => m.userId === g.ownerId)?.username ?? '',
      admins: members.filter((m) => m.memberType !== 'member').map((m) => m.username),
      users: members.filter((m) => m.memberType === 'member').map((m) => m.username),
    };
  }

  /**
   * Invitations are accepted on the spot (this server has no invitation inbox): the users join with the role
   * given (`group_member` or `group_admin`), and the group raises `invite`.
   */
  async invite(p: Principal, id: string, usernames: string[], role: 'member' | 'admin'): Promise<{ notInvited: string[] }> {
    await this.get(p, id);
    const found = await this.users.findByUsernames(usernames);
    const notInvited = usernames.filter((n) => !found.some((u) => u.username.toLowerCase() === n.toLowerCase()));
    if (found.length) {
      await this.events.transaction(async (m, record) => {
        await this.groups.addMembers(id, found.map((u) => u.id), role, m);
        await record(actorOf(p), { source: 'group', operation: 'invite', targetId: id, properties: { invitedUserNames: found.map((u) => u.username) } });
      });
    }
    return { notInvited };
  }

  /** Makes members administrators (`admins`) or plain members (`users`); the owner stays owner. Raises `updateUsers`. */
  async updateUsers(p: Principal, id: string, change: { admins: string[]; users: string[] }) {
    const g = await this.get(p, id);
    const members = await this.groups.members(id);
    const results: Array<{ username: string; success: boolean }> = [];
    const updated: Array<{ userId: string; username: string; type: MemberType }> = [];
    for (const [names, type] of [[change.admins, 'admin'], [change.users, 'member']] as const) {
      for (const name of names) {
        const m = members.find((x) => x.username.toLowerCase() === name.toLowerCase());
        const ok = !!m && m.userId !== g.ownerId;
        results.push({ username: m?.username ?? name, success: ok });
        if (ok) updated.push({ userId: m.userId, username: m.username, type });
      }
    }
    if (updated.length) {
      await this.events.transaction(async (m, record) => {
        for (const u of updated) await this.groups.setMemberType(id, u.userId, u.type, m);
        await record(actorOf(p), { source: 'group', operation: 'updateUsers', targetId: id, properties: { updatedUserNames: updated.map((u) => u.username) } });
      });
    }
    return { results };
  }

  /** What a user's membership of a group is, as `userMembership.memberType` says it (`none` when not a member). */
  async memberTypeOf(groupId: string, userId: string): Promise<MemberType | 'none'> {
    return (await this.groups.memberType(groupId, userId)) ?? 'none';
  }

  membershipsOf(userId: string) {
    return this.groups.membershipsOf(userId);
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
  async addUsers(p: Principal, id: string, usernames: string[], type: MemberType = 'member'): Promise<{ notAdded: string[] }> {
    if (!usernames.length) return { notAdded: [] };
    await this.get(p, id);
    const found = await this.users.findByUsernames(usernames);
    const notAdded = usernames.filter((n) => !found.some((u) => u.username.toLowerCase() === n.toLowerCase()));
    if (found.length) {
      await this.events.transaction(async (m, record) => {
        await this.groups.addMembers(id, found.map((u) => u.id), type, m);
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
