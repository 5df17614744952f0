import { z } from 'zod';
import { zCsv } from '@app/rest';
import { zUsername } from '../dto/users.dto';
import { zUserType } from './user-types';

export const UpdateUserLicenseTypeDto = z.object({
  users: zCsv.pipe(z.array(zUsername).min(1, 'must name at least one user').max(100)),
  userLicenseType: zUserType,
});
