export * from './docs-page';
export * from './openapi.generator';
export * from './openapi.module';
export * from './zod-json-schema';
