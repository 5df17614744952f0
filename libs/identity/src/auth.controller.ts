import { Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { z } from 'zod';
import { DomainError, Params, Refuses, Returns } from '@app/rest';
import { GenerateTokenDto } from './dto/users.dto';
import { LoginThrottleService } from './login-throttle.service';
import { Public } from './principal';
import { UsersService } from './users.service';
import { TokenJson } from './dto/identity-responses.dto';

@Controller('sharing/rest')
export class AuthController {
  constructor(
    private readonly users: UsersService,
    private readonly throttle: LoginThrottleService,
  ) {}

  @Returns(TokenJson)
  @Public()
  @Post('generateToken')
  @HttpCode(200)
  async generateToken(@Params(GenerateTokenDto) p: z.infer<typeof GenerateTokenDto>, @Req() req: Request) {
    await this.throttle.check(p.username, req.ip);
    try {
      const signedIn = await this.users.signIn(p.username, p.password, p.expiration);
      await this.throttle.succeeded(p.username);
      return signedIn;
    } catch (e) {
      if (e instanceof DomainError && e.messageCode === 'INVALID_CREDENTIALS') await this.throttle.failed(p.username, req.ip);
      throw e;
    }
  }

  /** A password in a URL ends up in logs and histories: refuse it, as the product does, without echoing it. */
  @Refuses(405, 'Always refused (POST_REQUIRED): a password in a URL ends up in logs')
  @Public()
  @Get('generateToken')
  generateTokenByGet(): never {
    throw new DomainError('method_not_allowed', 'POST_REQUIRED', 'generateToken must be sent as a POST.');
  }
}
