import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { z } from 'zod';
import { Params, Returns } from '@app/rest';
import { CurrentUser, Principal, requireAdmin } from '../principal';
import { UpdateUserLicenseTypeDto } from './user-types.dto';
import { USER_TYPES } from './user-types';
import { UserTypesService } from './user-types.service';
import { UserLicenseTypeUpdatedJson, UserLicenseTypesJson } from '../dto/identity-responses.dto';

/** User types: the list, and `updateUserLicenseType` (administrators). */
@Controller('sharing/rest/portals/self')
export class UserTypesController {
  constructor(private readonly types: UserTypesService) {}

  @Returns(UserLicenseTypesJson)
  @Get('userLicenseTypes')
  list() {
    return { total: USER_TYPES.length, userLicenseTypes: USER_TYPES };
  }

  @Returns(UserLicenseTypeUpdatedJson)
  @Post('updateUserLicenseType')
  @HttpCode(200)
  async update(@CurrentUser() p: Principal, @Params(UpdateUserLicenseTypeDto) dto: z.infer<typeof UpdateUserLicenseTypeDto>) {
    requireAdmin(p);
    const users = await this.types.update(p, dto.users, dto.userLicenseType);
    return { success: true, users, userLicenseType: dto.userLicenseType };
  }
}
