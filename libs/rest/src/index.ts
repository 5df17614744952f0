export * from './domain-error';
export * from './params';
export * from './pjson.middleware';
export * from './rest-exception.filter';
export * from './public-url';
export * from './rest-routing';
export * from './version';
export * from './search';
