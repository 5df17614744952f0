export * from './domain-error';
export * from './params';
export * from './pjson.middleware';
export * from './rest-exception.filter';
export * from './route-of';
