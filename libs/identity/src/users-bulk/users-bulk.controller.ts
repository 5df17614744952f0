import { Controller, HttpCode, Post } from '@nestjs/common';
import { z } from 'zod';
import { Params, Returns, zCsv } from '@app/rest';
import { zUsername } from '../dto/users.dto';
import { CurrentUser, Principal, requireAdmin } from '../principal';
import { UsersBulkService } from './users-bulk.service';
import { BulkUsersJson } from '../dto/identity-responses.dto';

const BulkUsersDto = z.object({ users: zCsv.pipe(z.array(zUsername).min(1, 'must name at least one user').max(100)) });

/** Ours (the product documents the events, not the path): enable or disable many users at once, administrators only. */
@Controller('sharing/rest/portals/self/users')
export class UsersBulkController {
  constructor(private readonly bulk: UsersBulkService) {}

  @Returns(BulkUsersJson)
  @Post('bulkEnable')
  @HttpCode(200)
  async enable(@CurrentUser() p: Principal, @Params(BulkUsersDto) dto: z.infer<typeof BulkUsersDto>) {
    requireAdmin(p);
    return { success: true, results: await this.bulk.setDisabled(p, dto.users, false) };
  }

  @Returns(BulkUsersJson)
  @Post('bulkDisable')
  @HttpCode(200)
  async disable(@CurrentUser() p: Principal, @Params(BulkUsersDto) dto: z.infer<typeof BulkUsersDto>) {
    requireAdmin(p);
    return { success: true, results: await this.bulk.setDisabled(p, dto.users, true) };
  }
}
