import { z } from 'zod';
import { zCsv } from '@app/rest';
import { zUsername } from '../dto/users.dto';
import { USER_TYPES } from './user-types.service';

export const UpdateUserLicenseTypeDto = z.object({
  users: zCsv.pipe(z.array(zUsername).min(1, 'must name at least one user').max(100)),
  userLicenseType: z.enum(USER_TYPES.map((t) => t.id) as [string, ...string[]], { errorMap: () => ({ message: `must be one of ${USER_TYPES.map((t) => t.id).join(', ')}` }) }),
});
