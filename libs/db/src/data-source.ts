import { DataSourceOptions } from 'typeorm';
import { ENTITIES, MIGRATIONS } from './registry';

export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    migrationsTableName: 'migrations',
    // A Postgres that does not answer fails a request (503) instead of hanging it.
    extra: { max: 20, connectionTimeoutMillis: 5_000 },
  };
}
