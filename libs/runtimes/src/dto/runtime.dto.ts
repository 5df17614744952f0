import { z } from 'zod';
import { zBool, zInt, zJson, zNumber } from '@app/rest';

const unit = z.enum(['b', 'k', 'm', 'g'], { errorMap: () => ({ message: "must be one of 'b', 'k', 'm', 'g'" }) });
const nonNegative = zNumber.pipe(z.number().min(0, 'must be 0 or more'));

/** A Docker network name: `none` (the default, no network), `bridge`, `host` or a user-defined network. */
const network = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'must be a Docker network name');
/** A local image: `repo[:tag]`, `repo@sha256:…` or an image id. */
const image = z.string().trim().min(1).max(300).regex(/^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/, 'must be a Docker image reference');

/** The fields an administrator sets; all optional so that `update` can use them too. */
const fields = {
  name: z.string().trim().min(1).max(128),
  version: z.string().trim().min(1).max(64),
  imageId: image,
  imagePullString: z.union([z.literal(''), image]),
  containerType: z.literal('docker', { errorMap: () => ({ message: "only 'docker' is supported" }) }),
  requiresAdvancedPrivileges: zBool,
  maxCpu: zNumber.pipe(z.number().positive('must be greater than 0').max(1024)),
  maxMemory: zNumber.pipe(z.number().positive('must be greater than 0')),
  maxMemoryUnit: unit,
  maxSwapMemory: nonNegative,
  maxSwapMemoryUnit: unit,
  sharedMemory: nonNegative,
  sharedMemoryUnit: unit,
  dockerRuntime: z.string().regex(/^[A-Za-z0-9_.-]{0,64}$/, 'must be a Docker runtime name or empty'),
  networkMode: network,
  warmPoolSize: z.union([zInt.pipe(z.number().min(0).max(100)), z.literal('').transform(() => null), z.null()]),
  /** The product sends a file; a JSON text (or object) of the libraries is accepted too. */
  manifestFile: zJson(z.unknown()),
};

export const RegisterRuntimeDto = z
  .object(fields)
  .partial()
  .required({ name: true, version: true, imageId: true })
  .extend({ maxCpu: fields.maxCpu.optional(), maxMemory: fields.maxMemory.optional() });

export const UpdateRuntimeDto = z.object(fields).partial();

export type RegisterRuntime = z.infer<typeof RegisterRuntimeDto>;
export type UpdateRuntime = z.infer<typeof UpdateRuntimeDto>;
