export * from './http-metrics.middleware';
export * from './metrics.module';
export * from './metrics.service';
export * from './queue-depths.gauge';
export * from './scrape-auth';
