import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { Metrics } from './metrics.service';

/** Fills `nba_db_pool_connections` from TypeORM's pg pool at each scrape. */
@Injectable()
export class DbPoolGauge {
  constructor(metrics: Metrics, @InjectDataSource() ds: DataSource) {
    metrics.onScrape(() => {
      const pool = (ds.driver as unknown as { master?: Pool }).master;
      if (!pool) return;
      metrics.dbPool.set({ state: 'total' }, pool.totalCount);
      metrics.dbPool.set({ state: 'idle' }, pool.idleCount);
      metrics.dbPool.set({ state: 'waiting' }, pool.waitingCount);
    });
  }
}
