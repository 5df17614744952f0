import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { z } from 'zod';
import type { GroupEntity } from '@app/db';
import { Params } from '@app/rest';
import { CreateGroupDto, GroupUsersDto, ReassignGroupDto, UpdateGroupDto } from './dto/groups.dto';
import { GroupsService } from './groups.service';
import { CurrentUser, Principal, requireAdmin } from './principal';

const groupView = (g: GroupEntity, owner: string) => ({
  id: g.id,
  title: g.title,
  owner,
  access: g.access,
  tags: g.tags,
  description: g.description,
  snippet: g.snippet,
  isProtected: g.isProtected,
  created: g.created.getTime(),
  modified: g.modified.getTime(),
});

@Controller('sharing/rest/community')
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Post('createGroup')
  @HttpCode(200)
  async create(@CurrentUser() p: Principal, @Params(CreateGroupDto) dto: z.infer<typeof CreateGroupDto>) {
    requireAdmin(p);
    const g = await this.groups.create(p, dto);
    return { success: true, group: groupView(g, p.username) };
  }

  @Get('groups/:id')
  async get(@CurrentUser() p: Principal, @Param('id') id: string) {
    const g = await this.groups.get(p, id);
    const members = await this.groups.members(id);
    const owner = members.find((m) => m.userId === g.ownerId)?.username ?? '';
    return { ...groupView(g, owner), users: members.map((m) => ({ username: m.username, memberType: m.memberType })) };
  }

  @Post('groups/:id/update')
  @HttpCode(200)
  async update(@CurrentUser() p: Principal, @Param('id') id: string, @Params(UpdateGroupDto) dto: z.infer<typeof UpdateGroupDto>) {
    requireAdmin(p);
    await this.groups.update(p, id, dto);
    return { success: true, groupId: id };
  }

  @Post('groups/:id/delete')
  @HttpCode(200)
  async delete(@CurrentUser() p: Principal, @Param('id') id: string) {
    requireAdmin(p);
    await this.groups.delete(p, id);
    return { success: true, groupId: id };
  }

  @Post('groups/:id/protect')
  @HttpCode(200)
  async protect(@CurrentUser() p: Principal, @Param('id') id: string) {
    requireAdmin(p);
    await this.groups.setProtected(p, id, true);
    return { success: true };
  }

  @Post('groups/:id/unprotect')
  @HttpCode(200)
  async unprotect(@CurrentUser() p: Principal, @Param('id') id: string) {
    requireAdmin(p);
    await this.groups.setProtected(p, id, false);
    return { success: true };
  }

  @Post('groups/:id/addUsers')
  @HttpCode(200)
  async addUsers(@CurrentUser() p: Principal, @Param('id') id: string, @Params(GroupUsersDto) dto: z.infer<typeof GroupUsersDto>) {
    requireAdmin(p);
    return this.groups.addUsers(p, id, dto.users);
  }

  @Post('groups/:id/removeUsers')
  @HttpCode(200)
  async removeUsers(@CurrentUser() p: Principal, @Param('id') id: string, @Params(GroupUsersDto) dto: z.infer<typeof GroupUsersDto>) {
    requireAdmin(p);
    return this.groups.removeUsers(p, id, dto.users);
  }

  @Post('groups/:id/reassign')
  @HttpCode(200)
  async reassign(@CurrentUser() p: Principal, @Param('id') id: string, @Params(ReassignGroupDto) dto: z.infer<typeof ReassignGroupDto>) {
    requireAdmin(p);
    await this.groups.reassign(p, id, dto.targetUsername);
    return { success: true };
  }
}
