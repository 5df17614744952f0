import { Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { z } from 'zod';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Params, Returns, SuccessJson } from '@app/rest';
import { AddGroupUsersDto, CreateGroupDto, GroupUsersDto, InviteDto, ReassignGroupDto, UpdateGroupDto, UpdateGroupUsersDto } from './dto/groups.dto';
import { groupView } from './group.view';
import { GroupsService } from './groups.service';
import { CurrentUser, Principal, requireAdmin } from './principal';
import { GroupCreatedJson, GroupDoneJson, GroupInvitedJson, GroupRosterJson, GroupUsersAddedJson, GroupUsersRemovedJson, GroupUsersUpdatedJson, GroupWithUsersJson } from './dto/identity-responses.dto';

@Controller('sharing/rest/community')
export class GroupsController {
  constructor(
    private readonly groups: GroupsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Returns(GroupCreatedJson)
  @Post('createGroup')
  @HttpCode(200)
  async create(@CurrentUser() p: Principal, @Params(CreateGroupDto) dto: z.infer<typeof CreateGroupDto>) {
    requireAdmin(p);
    const g = await this.groups.create(p, dto);
    return { success: true, group: groupView(g, p.username, this.config.org.id) };
  }

  @Returns(GroupWithUsersJson)
  @Get('groups/:id')
  async get(@CurrentUser() p: Principal, @Param('id') id: string) {
    const g = await this.groups.get(p, id);
    const members = await this.groups.members(id);
    const owner = members.find((m) => m.userId === g.ownerId)?.username ?? '';
    const memberType = members.find((m) => m.userId === p.id)?.memberType ?? 'none';
    return {
      ...groupView(g, owner, this.config.org.id, { username: p.username, memberType }),
      users: members.map((m) => ({ username: m.username, memberType: m.memberType })),
    };
  }

  @Returns(GroupRosterJson)
  @Get('groups/:id/users')
  roster(@CurrentUser() p: Principal, @Param('id') id: string) {
    return this.groups.roster(p, id);
  }

  @Returns(GroupInvitedJson)
  @Post('groups/:id/invite')
  @HttpCode(200)
  async invite(@CurrentUser() p: Principal, @Param('id') id: string, @Params(InviteDto) dto: z.infer<typeof InviteDto>) {
    requireAdmin(p);
    return { success: true, ...(await this.groups.invite(p, id, dto.users, dto.role)) };
  }

  @Returns(GroupUsersUpdatedJson)
  @Post('groups/:id/updateUsers')
  @HttpCode(200)
  async updateUsers(@CurrentUser() p: Principal, @Param('id') id: string, @Params(UpdateGroupUsersDto) dto: z.infer<typeof UpdateGroupUsersDto>) {
    requireAdmin(p);
    return this.groups.updateUsers(p, id, dto);
  }

  @Returns(GroupDoneJson)
  @Post('groups/:id/update')
  @HttpCode(200)
  async update(@CurrentUser() p: Principal, @Param('id') id: string, @Params(UpdateGroupDto) dto: z.infer<typeof UpdateGroupDto>) {
    requireAdmin(p);
    await this.groups.update(p, id, dto);
    return { success: true, groupId: id };
  }

  @Returns(GroupDoneJson)
  @Post('groups/:id/delete')
  @HttpCode(200)
  async delete(@CurrentUser() p: Principal, @Param('id') id: string) {
    requireAdmin(p);
    await this.groups.delete(p, id);
    return { success: true, groupId: id };
  }

  @Returns(SuccessJson)
  @Post('groups/:id/protect')
  @HttpCode(200)
  async protect(@CurrentUser() p: Principal, @Param('id') id: string) {
    requireAdmin(p);
    await this.groups.setProtected(p, id, true);
    return { success: true };
  }

  @Returns(SuccessJson)
  @Post('groups/:id/unprotect')
  @HttpCode(200)
  async unprotect(@CurrentUser() p: Principal, @Param('id') id: string) {
    requireAdmin(p);
    await this.groups.setProtected(p, id, false);
    return { success: true };
  }

  @Returns(GroupUsersAddedJson)
  @Post('groups/:id/addUsers')
  @HttpCode(200)
  async addUsers(@CurrentUser() p: Principal, @Param('id') id: string, @Params(AddGroupUsersDto) dto: z.infer<typeof AddGroupUsersDto>) {
    requireAdmin(p);
    const asMembers = await this.groups.addUsers(p, id, dto.users, 'member');
    const asAdmins = await this.groups.addUsers(p, id, dto.admins, 'admin');
    return { notAdded: [...asMembers.notAdded, ...asAdmins.notAdded] };
  }

  @Returns(GroupUsersRemovedJson)
  @Post('groups/:id/removeUsers')
  @HttpCode(200)
  async removeUsers(@CurrentUser() p: Principal, @Param('id') id: string, @Params(GroupUsersDto) dto: z.infer<typeof GroupUsersDto>) {
    requireAdmin(p);
    return this.groups.removeUsers(p, id, dto.users);
  }

  @Returns(SuccessJson)
  @Post('groups/:id/reassign')
  @HttpCode(200)
  async reassign(@CurrentUser() p: Principal, @Param('id') id: string, @Params(ReassignGroupDto) dto: z.infer<typeof ReassignGroupDto>) {
    requireAdmin(p);
    await this.groups.reassign(p, id, dto.targetUsername);
    return { success: true };
  }
}
