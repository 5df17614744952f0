import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from '@app/config';
import { dataSourceOptions, runMigrations } from '@app/db';

/** Operator commands: `migrate` applies pending migrations and exits. */
async function main(cmd: string | undefined) {
  if (cmd !== 'migrate') {
    console.error('usage: cli migrate');
    process.exit(2);
  }
  const config = loadConfig();
  const ds = await new DataSource(dataSourceOptions(config.db.url)).initialize();
  const ran = await runMigrations(ds);
  console.log(ran.length ? `applied: ${ran.join(', ')}` : 'no pending migrations');
  await ds.destroy();
}

main(process.argv[2]).catch((e) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});
