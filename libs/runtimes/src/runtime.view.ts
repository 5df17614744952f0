import type { RuntimeEntity } from '@app/db';

/** A runtime as the admin API shows it (the product's fields, plus networkMode and warmPoolSize). */
export function runtimeView(r: RuntimeEntity) {
  return {
    id: r.id,
    name: r.name,
    version: r.version,
    imageId: r.imageId,
    containerType: r.containerType,
    imagePullString: r.imagePullString,
    requiresAdvancedPrivileges: r.requiresAdvancedPrivileges,
    maxCpu: r.maxCpu,
    maxMemory: r.maxMemory,
    maxMemoryUnit: r.maxMemoryUnit,
    maxSwapMemory: r.maxSwapMemory,
    maxSwapMemoryUnit: r.maxSwapMemoryUnit,
    sharedMemory: r.sharedMemory,
    sharedMemoryUnit: r.sharedMemoryUnit,
    dockerRuntime: r.dockerRuntime,
    networkMode: r.networkMode,
    warmPoolSize: r.warmPoolSize,
    builtIn: r.builtIn,
    created: r.created.getTime(),
    modified: r.modified.getTime(),
  };
}
