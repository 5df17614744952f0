import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { GroupMembershipController } from './group-membership/group-membership.controller';
import { GroupMembershipService } from './group-membership/group-membership.service';
import { GroupsController } from './groups.controller';
import { GroupsRepository } from './groups.repository';
import { GroupsService } from './groups.service';
import { LoginThrottleService } from './login-throttle.service';
import { OAuthController } from './oauth/oauth.controller';
import { OAuthRepository } from './oauth/oauth.repository';
import { OAuthService } from './oauth/oauth.service';
import { PortalController } from './portal.controller';
import { PortalInfoController } from './portal-info.controller';
import { CommunitySearchController } from './search/community-search.controller';
import { TokenSecretService } from './token-secret.service';
import { RolesController } from './roles/roles.controller';
import { RolesService } from './roles/roles.service';
import { UserTypesController } from './user-types/user-types.controller';
import { UserTypesService } from './user-types/user-types.service';
import { UsersBulkController } from './users-bulk/users-bulk.controller';
import { UsersBulkService } from './users-bulk/users-bulk.service';
import { TokensService } from './tokens.service';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/** Users, groups, tokens. Services only (for the worker) unless `withHttp` is used (the api). */
@Module({
  providers: [UsersRepository, GroupsRepository, TokensService, UsersService, GroupsService, OAuthRepository, LoginThrottleService, TokenSecretService, RolesService, UserTypesService, UsersBulkService, GroupMembershipService],
  exports: [UsersRepository, GroupsRepository, TokensService, UsersService, GroupsService, OAuthRepository, LoginThrottleService, RolesService, UserTypesService, UsersBulkService, GroupMembershipService],
})
export class IdentityModule {}

@Module({
  imports: [IdentityModule],
  controllers: [AuthController, PortalController, PortalInfoController, OAuthController, UsersController, GroupsController, CommunitySearchController, RolesController, UserTypesController, UsersBulkController, GroupMembershipController],
  providers: [OAuthService, { provide: APP_GUARD, useClass: AuthGuard }],
})
export class IdentityHttpModule {}
