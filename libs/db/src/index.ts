export * from './db.module';
export * from './data-source';
export * from './entities';
export * from './ids';
export * from './migrator';
export * from './registry';
export * from './connection-error';
