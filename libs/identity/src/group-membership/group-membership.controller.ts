import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { z } from 'zod';
import { Params, zCsv, zInt } from '@app/rest';
import { zUsername } from '../dto/users.dto';
import { CurrentUser, Principal, requireAdmin } from '../principal';
import { GroupMembershipService } from './group-membership.service';

const InviteDto = z.object({
  users: zCsv.pipe(z.array(zUsername).min(1, 'must name at least one user').max(100)),
  role: z.enum(['group_member', 'group_admin'], { errorMap: () => ({ message: 'must be group_member or group_admin' }) }).optional().default('group_member'),
  /** Minutes the invitation stays open (the product's default: a day). */
  expiration: zInt.pipe(z.number().min(1).max(60 * 24 * 30)).optional().default(1440),
});

const UpdateUsersDto = z.object({
  admins: zCsv.pipe(z.array(zUsername).max(100)).optional().default([]),
  users: zCsv.pipe(z.array(zUsername).max(100)).optional().default([]),
});

/**
 * `/sharing/rest/community/groups/{id}/join` (any user who can see the group), `…/applications`,
 * `…/applications/{username}/accept|decline`, `…/invite` and `…/updateUsers` (administrators, who manage groups here).
 */
@Controller('sharing/rest/community/groups/:id')
export class GroupMembershipController {
  constructor(private readonly membership: GroupMembershipService) {}

  @Post('join')
  @HttpCode(200)
  async join(@CurrentUser() p: Principal, @Param('id') id: string) {
    await this.membership.requestJoin(p, id);
    return { success: true, groupId: id };
  }

  @Get('applications')
  async applications(@CurrentUser() p: Principal, @Param('id') id: string) {
    requireAdmin(p);
    return { applications: await this.membership.applications(p, id) };
  }

  @Post('applications/:username/accept')
  @HttpCode(200)
  async accept(@CurrentUser() p: Principal, @Param('id') id: string, @Param('username') username: string) {
    requireAdmin(p);
    await this.membership.decide(p, id, username, true);
    return { success: true, username };
  }

  @Post('applications/:username/decline')
  @HttpCode(200)
  async decline(@CurrentUser() p: Principal, @Param('id') id: string, @Param('username') username: string) {
    requireAdmin(p);
    await this.membership.decide(p, id, username, false);
    return { success: true, username };
  }

  @Post('invite')
  @HttpCode(200)
  async invite(@CurrentUser() p: Principal, @Param('id') id: string, @Params(InviteDto) dto: z.infer<typeof InviteDto>) {
    requireAdmin(p);
    return { success: true, notInvited: await this.membership.invite(p, id, dto.users, dto.role, dto.expiration) };
  }

  @Post('updateUsers')
  @HttpCode(200)
  async updateUsers(@CurrentUser() p: Principal, @Param('id') id: string, @Params(UpdateUsersDto) dto: z.infer<typeof UpdateUsersDto>) {
    requireAdmin(p);
    const updated = await this.membership.updateUsers(p, id, dto.admins, dto.users);
    return { success: true, results: [...dto.admins, ...dto.users].map((u) => ({ username: u, success: updated.some((x) => x.toLowerCase() === u.toLowerCase()) })) };
  }
}
