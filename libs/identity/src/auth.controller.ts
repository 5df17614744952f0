import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { z } from 'zod';
import { DomainError, Params } from '@app/rest';
import { GenerateTokenDto } from './dto/users.dto';
import { Public } from './principal';
import { UsersService } from './users.service';

@Controller('sharing/rest')
export class AuthController {
  constructor(private readonly users: UsersService) {}

  @Public()
  @Post('generateToken')
  @HttpCode(200)
  generateToken(@Params(GenerateTokenDto) p: z.infer<typeof GenerateTokenDto>) {
    return this.users.signIn(p.username, p.password, p.expiration);
  }

  /** A password in a URL ends up in logs and histories: refuse it, as the product does, without echoing it. */
  @Public()
  @Get('generateToken')
  generateTokenByGet(): never {
    throw new DomainError('method_not_allowed', 'POST_REQUIRED', 'generateToken must be sent as a POST.');
  }
}
