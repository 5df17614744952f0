import { DataSource } from 'typeorm';

// Any fixed number shared by every process of this project: serializes concurrent migrators.
const MIGRATION_LOCK = 727001;

/** Runs pending migrations under an advisory lock, so api and worker processes starting together don't race. */
export async function runMigrations(ds: DataSource): Promise<string[]> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const done = await ds.runMigrations({ transaction: 'all' });
    return done.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
