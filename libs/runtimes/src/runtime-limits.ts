import type { MemoryUnit, RuntimeEntity } from '@app/db';

const UNIT_BYTES: Record<MemoryUnit, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

export const toBytes = (value: number, unit: MemoryUnit) => Math.round(value * UNIT_BYTES[unit]);

/** The Docker HostConfig fields a runtime sets on each of its containers. */
export interface ContainerLimits {
  NetworkMode: string;
  Memory: number;
  /** Memory plus swap; equal to Memory when the runtime allows no swap. */
  MemorySwap: number;
  NanoCpus: number;
  ShmSize?: number;
  Runtime?: string;
}

export function containerLimits(r: RuntimeEntity): ContainerLimits {
  const memory = toBytes(r.maxMemory, r.maxMemoryUnit);
  const limits: ContainerLimits = {
    NetworkMode: r.networkMode,
    Memory: memory,
    MemorySwap: memory + toBytes(r.maxSwapMemory, r.maxSwapMemoryUnit),
    NanoCpus: Math.round(r.maxCpu * 1e9),
  };
  if (r.sharedMemory > 0) limits.ShmSize = toBytes(r.sharedMemory, r.sharedMemoryUnit);
  if (r.dockerRuntime) limits.Runtime = r.dockerRuntime;
  return limits;
}
