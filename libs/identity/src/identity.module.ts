import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { GroupsController } from './groups.controller';
import { GroupsRepository } from './groups.repository';
import { GroupsService } from './groups.service';
import { LoginThrottleService } from './login-throttle.service';
import { PortalController } from './portal.controller';
import { TokenSecretService } from './token-secret.service';
import { TokensService } from './tokens.service';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/** Users, groups, tokens. Services only (for the worker) unless `withHttp` is used (the api). */
@Module({
  providers: [UsersRepository, GroupsRepository, TokensService, UsersService, GroupsService, LoginThrottleService, TokenSecretService],
  exports: [UsersRepository, GroupsRepository, TokensService, UsersService, GroupsService, LoginThrottleService],
})
export class IdentityModule {}

@Module({
  imports: [IdentityModule],
  controllers: [AuthController, PortalController, UsersController, GroupsController],
  providers: [{ provide: APP_GUARD, useClass: AuthGuard }],
})
export class IdentityHttpModule {}
