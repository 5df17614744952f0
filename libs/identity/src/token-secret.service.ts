import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig, DEV_TOKEN_SECRET } from '@app/config';

/**
 * The key tokens are signed with. TOKEN_SECRET when set; the development key in the source only under NODE_ENV=test;
 * otherwise a random key generated at the first start and kept in Postgres (`server_secrets`), so tokens survive
 * restarts and every node signs with the same key.
 */
@Injectable()
export class TokenSecretService implements OnApplicationBootstrap {
  private readonly log = new Logger('TokenSecret');
  private key?: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly ds: DataSource,
  ) {}

  /** After the migrations (they run in onModuleInit), before the first request. */
  async onApplicationBootstrap(): Promise<void> {
    if (this.config.auth.tokenSecret !== DEV_TOKEN_SECRET || this.config.env === 'test') {
      this.key = this.config.auth.tokenSecret;
      return;
    }
    // Two nodes starting at once: one insert wins, both read the winner.
    const inserted = (await this.ds.query(
      `INSERT INTO server_secrets (name, value) VALUES ('token_secret', $1) ON CONFLICT (name) DO NOTHING RETURNING name`,
      [randomBytes(48).toString('base64url')],
    )) as unknown[];
    const [row] = (await this.ds.query(`SELECT value FROM server_secrets WHERE name = 'token_secret'`)) as Array<{ value: string }>;
    this.key = row.value;
    this.log.log(
      inserted.length
        ? 'TOKEN_SECRET is not set: generated a random token signing key and stored it in Postgres (server_secrets); every node uses it'
        : 'TOKEN_SECRET is not set: signing tokens with the key stored in Postgres (server_secrets)',
    );
  }

  get secret(): string {
    if (!this.key) throw new Error('the token signing key is not loaded yet (TokenSecretService runs at application bootstrap)');
    return this.key;
  }
}
