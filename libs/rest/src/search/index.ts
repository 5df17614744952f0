export * from './search-query';
export * from './search-sql';
export * from './search.dto';
