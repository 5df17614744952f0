import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '@app/clock';
import { GroupApplicationEntity, GroupInvitationEntity, GroupMemberEntity, newId } from '@app/db';
import { EventsService } from '@app/events';
import { DomainError } from '@app/rest';
import { GroupsRepository } from '../groups.repository';
import { GroupsService } from '../groups.service';
import { actorOf, Principal } from '../principal';
import { UsersRepository } from '../users.repository';

/**
 * Requests to join a group (`join`, raising `/groups/{id}/requestJoin`), their acceptance (the applicant is added:
 * `addUsers`) or refusal; invitations (`invite`, raising `/groups/{id}/invite` with `invitedUserNames`), which the
 * invited user accepts (joining: `addUsers`) or declines; and members' roles in a group (`updateUsers`).
 */
@Injectable()
export class GroupMembershipService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly groups: GroupsService,
    private readonly groupsRepo: GroupsRepository,
    private readonly users: UsersRepository,
    private readonly events: EventsService,
    private readonly clock: Clock,
  ) {}

  /** Anyone who can see the group asks to join it; asking again while the request is open changes nothing. */
  async requestJoin(p: Principal, groupId: string): Promise<void> {
    await this.groups.get(p, groupId);
    if (await this.ds.manager.countBy(GroupMemberEntity, { groupId, userId: p.id })) {
      throw DomainError.conflict('ALREADY_MEMBER', 'You are already a member of this group.');
    }
    await this.events.transaction(async (m, record) => {
      const inserted: unknown[] = await m.query(
        `INSERT INTO group_applications (group_id, user_id, received) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING group_id`,
        [groupId, p.id, this.clock.now()],
      );
      if (inserted.length) await record(actorOf(p), { source: 'group', operation: 'requestJoin', targetId: groupId });
    });
  }

  async applications(p: Principal, groupId: string) {
    await this.groups.get(p, groupId);
    const rows: Array<{ username: string; full_name: string; received: Date }> = await this.ds.query(
      `SELECT u.username, u.full_name, a.received FROM group_applications a JOIN users u ON u.id = a.user_id WHERE a.group_id = $1 ORDER BY a.received, u.username`,
      [groupId],
    );
    return rows.map((r) => ({ username: r.username, fullName: r.full_name, received: new Date(r.received).getTime() }));
  }

  /** Accepting adds the applicant as `addUsers` does (and raises its event); declining only closes the request. */
  async decide(p: Principal, groupId: string, applicant: string, accept: boolean): Promise<void> {
    await this.groups.get(p, groupId);
    const user = await this.users.findByUsername(applicant);
    const open = user && (await this.ds.manager.countBy(GroupApplicationEntity, { groupId, userId: user.id }));
    if (!user || !open) throw DomainError.notFound('Application', applicant);
    if (accept) await this.groups.addUsers(p, groupId, [user.username]);
    await this.ds.manager.delete(GroupApplicationEntity, { groupId, userId: user.id });
  }

  /** `admins` become group managers, `users` plain members; the owner stays the owner. Answers who was changed. */
  async updateUsers(p: Principal, groupId: string, admins: string[], members: string[]): Promise<string[]> {
    await this.groups.get(p, groupId);
    const wanted = [...admins.map((u) => ({ u, type: 'admin' as const })), ...members.map((u) => ({ u, type: 'member' as const }))];
    const found = await this.users.findByUsernames(wanted.map((w) => w.u));
    return this.events.transaction(async (m, record) => {
      const updated: string[] = [];
      for (const w of wanted) {
        const user = found.find((f) => f.username.toLowerCase() === w.u.toLowerCase());
        if (!user) continue;
        const r = await m.update(GroupMemberEntity, { groupId, userId: user.id, memberType: w.type === 'admin' ? 'member' : 'admin' }, { memberType: w.type });
        if (r.affected) updated.push(user.username);
      }
      if (updated.length) await record(actorOf(p), { source: 'group', operation: 'updateUsers', targetId: groupId, properties: { updatedUserNames: updated } });
      return updated;
    });
  }

  /** Invites users who are not members yet; answers the names not invited (unknown users, members already). */
  async invite(p: Principal, groupId: string, usernames: string[], role: string, minutes: number): Promise<string[]> {
    await this.groups.get(p, groupId);
    const found = await this.users.findByUsernames(usernames);
    const memberIds = new Set((await this.ds.manager.findBy(GroupMemberEntity, { groupId })).map((r) => r.userId));
    const invited = found.filter((u) => !memberIds.has(u.id));
    const now = this.clock.now();
    if (invited.length) {
      await this.events.transaction(async (m, record) => {
        for (const u of invited) {
          await m.delete(GroupInvitationEntity, { groupId, userId: u.id }); // a new invitation replaces an open one
          await m.insert(GroupInvitationEntity, { id: newId(), groupId, userId: u.id, role, fromUsername: p.username, created: now, expires: new Date(now.getTime() + minutes * 60_000) });
        }
        await record(actorOf(p), { source: 'group', operation: 'invite', targetId: groupId, properties: { invitedUserNames: invited.map((u) => u.username) } });
      });
    }
    return usernames.filter((n) => !invited.some((u) => u.username.toLowerCase() === n.toLowerCase()));
  }

  /** A user's open invitations (the user or an administrator reads them). */
  async invitations(userId: string) {
    const rows = await this.ds.manager.find(GroupInvitationEntity, { where: { userId }, order: { created: 'ASC' } });
    const now = this.clock.nowMs();
    return rows
      .filter((r) => r.expires.getTime() > now)
      .map((r) => ({ id: r.id, targetType: 'group', targetId: r.groupId, role: r.role, fromUsername: r.fromUsername, created: r.created.getTime(), expiration: r.expires.getTime() }));
  }

  /** The invited user accepts (joins, as `addUsers` with its event) or declines; an expired invitation is gone. */
  async answerInvitation(p: Principal, invitationId: string, accept: boolean): Promise<string> {
    const inv = await this.ds.manager.findOneBy(GroupInvitationEntity, { id: invitationId, userId: p.id });
    if (!inv || inv.expires.getTime() <= this.clock.nowMs()) throw DomainError.notFound('Invitation', invitationId);
    await this.events.transaction(async (m, record) => {
      await m.delete(GroupInvitationEntity, { id: inv.id });
      if (!accept) return;
      await this.groupsRepo.addMembers(inv.groupId, [p.id], inv.role === 'group_admin' ? 'admin' : 'member', m);
      await record(actorOf(p), { source: 'group', operation: 'addUsers', targetId: inv.groupId, properties: { addedUserNames: [p.username] } });
    });
    return inv.groupId;
  }
}
