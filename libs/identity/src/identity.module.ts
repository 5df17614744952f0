import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
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
import { TokensService } from './tokens.service';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/** Users, groups, tokens. Services only (for the worker) unless `withHttp` is used (the api). */
@Module({
  providers: [UsersRepository, GroupsRepository, TokensService, UsersService, GroupsService, OAuthRepository, LoginThrottleService, TokenSecretService],
  exports: [UsersRepository, GroupsRepository, TokensService, UsersService, GroupsService, OAuthRepository, LoginThrottleService],
})
export class IdentityModule {}

@Module({
  imports: [IdentityModule],
  controllers: [AuthController, PortalController, PortalInfoController, OAuthController, UsersController, GroupsController, CommunitySearchController],
  providers: [OAuthService, { provide: APP_GUARD, useClass: AuthGuard }],
})
export class IdentityHttpModule {}
