export * from './app-config';
export * from './config.module';
export { DEV_TOKEN_SECRET, parseRuntimes } from './config.schema';
