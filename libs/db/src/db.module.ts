import { Inject, Injectable, Logger, Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@app/config';
import { dataSourceOptions } from './data-source';
import { runMigrations } from './migrator';

@Injectable()
class MigrateOnStart implements OnModuleInit {
  private readonly log = new Logger('Migrations');
  constructor(
    private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.db.runMigrations) return;
    const ran = await runMigrations(this.ds);
    if (ran.length) this.log.log(`applied ${ran.join(', ')}`);
  }
}

/** The Postgres connection; pending migrations run at start unless RUN_MIGRATIONS=false. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => dataSourceOptions(config.db.url),
    }),
  ],
  providers: [MigrateOnStart],
})
export class DbModule {}
