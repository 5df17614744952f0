import { Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { z } from 'zod';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Params, Returns } from '@app/rest';
import { CreateUserDto, UpdateUserDto } from './dto/users.dto';
import { CurrentUser, Principal, requireAdmin, requireSelfOrAdmin } from './principal';
import { groupView } from './group.view';
import { GroupsService } from './groups.service';
import { userView } from './user.view';
import { UsersService } from './users.service';
import { UserCreatedJson, UserWithGroupsJson, UsernameDoneJson } from './dto/identity-responses.dto';

@Controller()
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly groups: GroupsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Returns(UserCreatedJson)
  @Post('portaladmin/security/users/createUser')
  @HttpCode(200)
  async create(@CurrentUser() p: Principal, @Params(CreateUserDto) dto: z.infer<typeof CreateUserDto>) {
    requireAdmin(p);
    const u = await this.users.create(p, dto);
    return { status: 'success', username: u.username, id: u.id };
  }

  /** The user, with the groups they belong to (and their membership of each), as the product answers it. */
  @Returns(UserWithGroupsJson)
  @Get('sharing/rest/community/users/:username')
  async get(@CurrentUser() p: Principal, @Param('username') username: string) {
    requireSelfOrAdmin(p, username);
    const u = await this.users.get(username);
    const groups = (await this.groups.membershipsOf(u.id)).map((m) =>
      groupView(m.group, m.owner, this.config.org.id, { username: u.username, memberType: m.memberType }),
    );
    return { ...userView(u, this.config.org.id), groups };
  }

  @Returns(UsernameDoneJson)
  @Post('sharing/rest/community/users/:username/update')
  @HttpCode(200)
  async update(
    @CurrentUser() p: Principal,
    @Param('username') username: string,
    @Params(UpdateUserDto) dto: z.infer<typeof UpdateUserDto>,
  ) {
    requireSelfOrAdmin(p, username);
    const u = await this.users.update(p, username, dto);
    return { success: true, username: u.username };
  }

  @Returns(UsernameDoneJson)
  @Post('sharing/rest/community/users/:username/delete')
  @HttpCode(200)
  async delete(@CurrentUser() p: Principal, @Param('username') username: string) {
    requireAdmin(p);
    await this.users.delete(p, username);
    return { success: true, username };
  }

  @Returns(UsernameDoneJson)
  @Post('sharing/rest/community/users/:username/disable')
  @HttpCode(200)
  async disable(@CurrentUser() p: Principal, @Param('username') username: string) {
    requireAdmin(p);
    await this.users.setDisabled(p, username, true);
    return { success: true, username };
  }

  @Returns(UsernameDoneJson)
  @Post('sharing/rest/community/users/:username/enable')
  @HttpCode(200)
  async enable(@CurrentUser() p: Principal, @Param('username') username: string) {
    requireAdmin(p);
    await this.users.setDisabled(p, username, false);
    return { success: true, username };
  }
}
