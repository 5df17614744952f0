import { Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { z } from 'zod';
import { APP_CONFIG, AppConfig } from '@app/config';
import { API_VERSION, Params, PublicUrl, Returns, page, pagingSchema } from '@app/rest';
import { UpdateRoleDto } from './dto/users.dto';
import { GroupsRepository } from './groups.repository';
import { RolesService } from './roles/roles.service';
import { CurrentUser, Principal, requireAdmin } from './principal';
import { userView } from './user.view';
import { UsersService } from './users.service';
import { CommunitySelfJson, PortalSelfJson, UserListJson, UsernameDoneJson } from './dto/identity-responses.dto';

@Controller('sharing/rest')
export class PortalController {
  constructor(
    private readonly users: UsersService,
    private readonly groups: GroupsRepository,
    private readonly roles: RolesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Returns(PortalSelfJson)
  @Get('portals/self')
  async self(@CurrentUser() p: Principal, @PublicUrl() base: string) {
    const user = await this.users.get(p.username);
    return {
      id: this.config.org.id,
      name: this.config.org.name,
      portalName: this.config.org.name,
      urlKey: this.config.org.id.toLowerCase(),
      portalHostname: new URL(base).host,
      currentVersion: API_VERSION.currentVersion,
      isPortal: true,
      portalMode: 'singletenant',
      supportsOAuth: true,
      allSSL: false,
      user: userView(user, this.config.org.id),
    };
  }

  @Returns(CommunitySelfJson)
  @Get('community/self')
  async communitySelf(@CurrentUser() p: Principal) {
    const user = await this.users.get(p.username);
    return { ...userView(user, this.config.org.id), groups: await this.groups.groupIdsOf(user.id) };
  }

  @Returns(UserListJson)
  @Get('portals/self/users')
  async listUsers(@CurrentUser() p: Principal, @Params(pagingSchema) q: z.infer<typeof pagingSchema>) {
    requireAdmin(p);
    const all = await this.users.list(q.start, q.num);
    return { ...page(all, q.start, q.num), users: all.rows.map((u) => userView(u, this.config.org.id)) };
  }

  @Returns(UsernameDoneJson)
  @Post('portals/self/updateuserrole')
  @HttpCode(200)
  async updateRole(@CurrentUser() p: Principal, @Params(UpdateRoleDto) dto: z.infer<typeof UpdateRoleDto>) {
    requireAdmin(p);
    if ('customRoleId' in dto.role) {
      const [username] = await this.roles.assign(p, dto.role.customRoleId, [dto.user]);
      return { success: true, username };
    }
    const u = await this.users.updateRole(p, dto.user, dto.role.role);
    return { success: true, username: u.username };
  }
}
