export * from './queue.contract';
export * from './redis.module';
export * from './pass-lock';
