import type { RuntimeEntity } from '@app/db';
import { containerLimits } from './runtime-limits';

const base = {
  maxCpu: 1.5,
  maxMemory: 2,
  maxMemoryUnit: 'g',
  maxSwapMemory: 0,
  maxSwapMemoryUnit: 'g',
  sharedMemory: 0,
  sharedMemoryUnit: 'm',
  dockerRuntime: '',
  networkMode: 'none',
} as RuntimeEntity;

describe('containerLimits', () => {
  it('turns the runtime fields into Docker limits', () => {
    expect(containerLimits(base)).toEqual({ NetworkMode: 'none', Memory: 2 * 1024 ** 3, MemorySwap: 2 * 1024 ** 3, NanoCpus: 1.5e9 });
  });

  it('adds swap to the memory, and sets shared memory and the Docker runtime when given', () => {
    const l = containerLimits({ ...base, maxMemory: 512, maxMemoryUnit: 'm', maxSwapMemory: 1, sharedMemory: 64, dockerRuntime: 'runc', networkMode: 'bridge' } as RuntimeEntity);
    expect(l).toEqual({ NetworkMode: 'bridge', Memory: 512 * 1024 ** 2, MemorySwap: 512 * 1024 ** 2 + 1024 ** 3, NanoCpus: 1.5e9, ShmSize: 64 * 1024 ** 2, Runtime: 'runc' });
  });
});
