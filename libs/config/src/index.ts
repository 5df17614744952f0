export * from './app-config';
export * from './config.module';
export { parseRuntimes } from './config.schema';
