import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { DomainError } from '@app/rest';
import { CurrentUser, Principal, requireSelfOrAdmin } from '../principal';
import { UsersRepository } from '../users.repository';
import { GroupMembershipService } from './group-membership.service';

/** A user's group invitations: `/sharing/rest/community/users/{username}/invitations[/{id}/accept|decline]`. */
@Controller('sharing/rest/community/users/:username/invitations')
export class UserInvitationsController {
  constructor(
    private readonly membership: GroupMembershipService,
    private readonly users: UsersRepository,
  ) {}

  @Get()
  async list(@CurrentUser() p: Principal, @Param('username') username: string) {
    requireSelfOrAdmin(p, username);
    const user = await this.users.findByUsername(username);
    if (!user) throw DomainError.notFound('User', username);
    return { userInvitations: await this.membership.invitations(user.id) };
  }

  /** Only the invited user answers an invitation. */
  @Post(':invitationId/accept')
  @HttpCode(200)
  async accept(@CurrentUser() p: Principal, @Param('username') username: string, @Param('invitationId') id: string) {
    requireSelfOrAdmin(p, username);
    if (p.username.toLowerCase() !== username.toLowerCase()) throw DomainError.forbidden('Only the invited user can accept an invitation.');
    return { success: true, groupId: await this.membership.answerInvitation(p, id, true) };
  }

  @Post(':invitationId/decline')
  @HttpCode(200)
  async decline(@CurrentUser() p: Principal, @Param('username') username: string, @Param('invitationId') id: string) {
    if (p.username.toLowerCase() !== username.toLowerCase()) throw DomainError.forbidden('Only the invited user can decline an invitation.');
    return { success: true, groupId: await this.membership.answerInvitation(p, id, false) };
  }
}
