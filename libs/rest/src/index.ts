export * from './domain-error';
export * from './params';
export * from './pjson.middleware';
export * from './rest-exception.filter';
export * from './request-deadline.interceptor';
export * from './reject-nul.middleware';
export * from './route-of';
