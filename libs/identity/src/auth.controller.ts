import { Controller, HttpCode, Post } from '@nestjs/common';
import { z } from 'zod';
import { Params } from '@app/rest';
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
}
