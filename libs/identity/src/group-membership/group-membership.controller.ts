import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CurrentUser, Principal, requireAdmin } from '../principal';
import { GroupMembershipService } from './group-membership.service';
import { Returns } from '@app/rest';
import { GroupApplicationsJson, GroupDoneJson, UsernameDoneJson } from '../dto/identity-responses.dto';

/**
 * `/sharing/rest/community/groups/{id}/join` (any user who can see the group), `…/applications`,
 * `…/applications/{username}/accept|decline` (administrators, who manage groups here). `invite` and `updateUsers`
 * are GroupsController's.
 */
@Controller('sharing/rest/community/groups/:id')
export class GroupMembershipController {
  constructor(private readonly membership: GroupMembershipService) {}

  @Returns(GroupDoneJson)
  @Post('join')
  @HttpCode(200)
  async join(@CurrentUser() p: Principal, @Param('id') id: string) {
    await this.membership.requestJoin(p, id);
    return { success: true, groupId: id };
  }

  @Returns(GroupApplicationsJson)
  @Get('applications')
  async applications(@CurrentUser() p: Principal, @Param('id') id: string) {
    requireAdmin(p);
    return { applications: await this.membership.applications(p, id) };
  }

  @Returns(UsernameDoneJson)
  @Post('applications/:username/accept')
  @HttpCode(200)
  async accept(@CurrentUser() p: Principal, @Param('id') id: string, @Param('username') username: string) {
    requireAdmin(p);
    await this.membership.decide(p, id, username, true);
    return { success: true, username };
  }

  @Returns(UsernameDoneJson)
  @Post('applications/:username/decline')
  @HttpCode(200)
  async decline(@CurrentUser() p: Principal, @Param('id') id: string, @Param('username') username: string) {
    requireAdmin(p);
    await this.membership.decide(p, id, username, false);
    return { success: true, username };
  }
}
