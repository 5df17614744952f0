import { z } from 'zod';
import { pagingSchema, zCsv, zJson } from '@app/rest';
import { zUsername } from '../dto/users.dto';

const name = z.string().trim().min(1, 'is required').max(128, 'must be at most 128 characters');
const description = z.string().max(250, 'must be at most 250 characters');

/** Privileges as the product names them (`portal:user:createItem`, `premium:user:createNotebooks`). */
const zPrivilegeList = z.array(z.string().regex(/^[A-Za-z]+(:[A-Za-z]+){0,2}$/, 'must be privilege names such as premium:user:createNotebooks')).max(200);

/** `privileges`: a JSON `{"privileges":[…]}` as setPrivileges documents it, a JSON array, or a comma-separated list. */
export const zPrivileges = zJson(
  z.union([z.object({ privileges: zPrivilegeList }).transform((v) => v.privileges), zPrivilegeList], {
    errorMap: () => ({ message: 'must be {"privileges":[…]}, a JSON array or a comma-separated list of privilege names' }),
  }),
);
const zPrivilegesField = z.preprocess((v) => (typeof v === 'string' && !/^\s*[[{]/.test(v) ? JSON.stringify(v.split(',').map((s) => s.trim()).filter(Boolean)) : v), zPrivileges);

export const CreateRoleDto = z.object({ name, description: description.optional(), privileges: zPrivilegesField.optional() });
export const UpdateRoleDto = z.object({ name: name.optional(), description: description.optional() });
export const SetPrivilegesDto = z.object({ privileges: zPrivilegesField });
export const ListRolesDto = pagingSchema;
/** Ours (the product assigns through updateuserrole): the users to give the role, comma-separated. */
export const AssignRoleDto = z.object({ users: zCsv.pipe(z.array(zUsername).min(1, 'must name at least one user').max(100)) });
