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
    extra: { max: 20 },
  };
}
