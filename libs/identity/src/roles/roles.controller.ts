import { Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { z } from 'zod';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Params, Returns, SuccessJson, page } from '@app/rest';
import { requireOrgAdmin } from '../org-admin';
import { CurrentUser, Principal } from '../principal';
import { AssignRoleDto, CreateRoleDto, ListRolesDto, SetPrivilegesDto, UpdateRoleDto } from './roles.dto';
import { roleView, RolesService } from './roles.service';
import { RoleAssignedJson, RoleCreatedJson, RoleJson, RoleListJson, RolePrivilegesJson } from '../dto/identity-responses.dto';

/** Custom roles of the organization, administrators only: `/sharing/rest/portals/{orgId|self}/…`. */
@Controller('sharing/rest/portals/:orgId')
export class RolesController {
  constructor(
    private readonly roles: RolesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private admin(p: Principal, orgId: string): void {
    requireOrgAdmin(p, orgId, this.config.org.id);
  }

  @Returns(RoleCreatedJson)
  @Post('createRole')
  @HttpCode(200)
  async create(@CurrentUser() p: Principal, @Param('orgId') org: string, @Params(CreateRoleDto) dto: z.infer<typeof CreateRoleDto>) {
    this.admin(p, org);
    return { success: true, id: (await this.roles.create(p, dto)).id };
  }

  @Returns(RoleListJson)
  @Get('roles')
  async list(@CurrentUser() p: Principal, @Param('orgId') org: string, @Params(ListRolesDto) q: z.infer<typeof ListRolesDto>) {
    this.admin(p, org);
    const all = await this.roles.list(q.start, q.num);
    return { ...page(all, q.start, q.num), roles: all.rows.map(roleView) };
  }

  @Returns(RoleJson)
  @Get('roles/:id')
  async get(@CurrentUser() p: Principal, @Param('orgId') org: string, @Param('id') id: string) {
    this.admin(p, org);
    return roleView(await this.roles.get(id));
  }

  @Returns(RolePrivilegesJson)
  @Get('roles/:id/privileges')
  async privileges(@CurrentUser() p: Principal, @Param('orgId') org: string, @Param('id') id: string) {
    this.admin(p, org);
    return { privileges: (await this.roles.get(id)).privileges };
  }

  @Returns(SuccessJson)
  @Post('roles/:id/update')
  @HttpCode(200)
  async update(@CurrentUser() p: Principal, @Param('orgId') org: string, @Param('id') id: string, @Params(UpdateRoleDto) dto: z.infer<typeof UpdateRoleDto>) {
    this.admin(p, org);
    await this.roles.update(p, id, dto);
    return { success: true };
  }

  @Returns(SuccessJson)
  @Post('roles/:id/setPrivileges')
  @HttpCode(200)
  async setPrivileges(@CurrentUser() p: Principal, @Param('orgId') org: string, @Param('id') id: string, @Params(SetPrivilegesDto) dto: z.infer<typeof SetPrivilegesDto>) {
    this.admin(p, org);
    await this.roles.update(p, id, { privileges: dto.privileges });
    return { success: true };
  }

  @Returns(SuccessJson)
  @Post('roles/:id/delete')
  @HttpCode(200)
  async delete(@CurrentUser() p: Principal, @Param('orgId') org: string, @Param('id') id: string) {
    this.admin(p, org);
    await this.roles.delete(p, id);
    return { success: true };
  }

  /** Ours, for many users at once: the product assigns a custom role with `updateuserrole` (`role=<role id>`, PortalController). */
  @Returns(RoleAssignedJson)
  @Post('roles/:id/assign')
  @HttpCode(200)
  async assign(@CurrentUser() p: Principal, @Param('orgId') org: string, @Param('id') id: string, @Params(AssignRoleDto) dto: z.infer<typeof AssignRoleDto>) {
    this.admin(p, org);
    return { success: true, users: await this.roles.assign(p, id, dto.users) };
  }
}
