import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '@app/clock';
import { GroupApplicationEntity, GroupMemberEntity } from '@app/db';
import { EventsService } from '@app/events';
import { DomainError } from '@app/rest';
import { GroupsRepository } from '../groups.repository';
import { GroupsService } from '../groups.service';
import { actorOf, Principal } from '../principal';
import { UsersRepository } from '../users.repository';

/**
 * Requests to join a group (`join`, raising `/groups/{id}/requestJoin`), their acceptance (the applicant is added:
 * `addUsers`) or refusal. (`invite` and `updateUsers` are the groups controller's.)
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
}
