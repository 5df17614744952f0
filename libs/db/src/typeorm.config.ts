import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../config/src/app-config'; // relative: the TypeORM CLI does not know our path aliases
import { dataSourceOptions } from './data-source';

/** For the TypeORM CLI, e.g. `npm run typeorm -- migration:show`. */
export default new DataSource(dataSourceOptions(loadConfig().db.url));
