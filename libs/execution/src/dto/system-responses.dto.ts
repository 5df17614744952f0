import { z } from 'zod';
import { statusSuccessWith, zMillis } from '@app/rest';
import { PROPERTY_SCHEMAS } from '../system-properties';

/** Response shapes of the Notebook Server admin routes (root, system properties, machines, runtimes), for the OpenAPI document. */

export const AdminRootJson = z.object({ version: z.string(), currentVersion: z.string(), fullVersion: z.string(), resources: z.array(z.string()) });
export const AdminInfoJson = z.object({ currentVersion: z.string(), fullVersion: z.string(), serverType: z.string(), serverFunction: z.string(), timezone: z.string() });

export const PropertiesJson = z.object(PROPERTY_SCHEMAS);
export const PropertiesUpdatedJson = PropertiesJson.extend({ status: z.literal('success') });
export const PropertyLimitsJson = z.object({
  limits: z.object(Object.fromEntries(Object.keys(PROPERTY_SCHEMAS).map((k) => [k, z.object({ min: z.number(), max: z.number() }).strict()]))).strict(),
});

const machine = {
  machineName: z.string(),
  healthcheck: z.boolean(),
  canProvisionExecuteNotebooks: z.boolean(),
  maxExecuteNotebookContainersPerNode: z.number().int(),
  runsInProgress: z.number().int(),
  warmContainers: z.number().int(),
  dockerAvailable: z.boolean(),
  lastHeartbeat: zMillis,
  startedAt: zMillis,
  /** Runtimes whose image this machine lacks (nothing is pulled). */
  runtimeImagesMissing: z.array(z.string()),
};
export const MachinesJson = z.object({ machines: z.array(z.object(machine)) });
export const MachineJson = z.object({ ...machine, warning: z.string().optional() });

const unit = z.string();
export const RuntimeJson = z.object({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  imageId: z.string(),
  containerType: z.string(),
  imagePullString: z.string(),
  requiresAdvancedPrivileges: z.boolean(),
  maxCpu: z.number(),
  maxMemory: z.number(),
  maxMemoryUnit: unit,
  maxSwapMemory: z.number(),
  maxSwapMemoryUnit: unit,
  sharedMemory: z.number(),
  sharedMemoryUnit: unit,
  dockerRuntime: z.string(),
  networkMode: z.string(),
  warmPoolSize: z.number().int().nullable(),
  builtIn: z.boolean(),
  created: zMillis,
  modified: zMillis,
});
export const RuntimeListJson = z.object({ runtimes: z.array(RuntimeJson) });
export const RuntimeRegisteredJson = statusSuccessWith({ id: z.string(), runtime: RuntimeJson });
export const RuntimesRestoredJson = statusSuccessWith({ runtimes: z.array(RuntimeJson) });
export const RuntimeUpdatedJson = statusSuccessWith({ runtime: RuntimeJson });
/** What the image says it holds (its manifest, open-ended), beside the runtime it belongs to. */
export const RuntimeManifestJson = z
  .object({ runtimeId: z.string(), name: z.string(), imageId: z.string(), imageDigest: z.string().nullable(), declaredManifest: z.unknown().optional() })
  .passthrough();
