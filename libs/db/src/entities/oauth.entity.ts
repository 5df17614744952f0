import { Column, Entity, PrimaryColumn } from 'typeorm';

export type OAuthGrantKind = 'state' | 'code';

/** A single-use, short-lived OAuth2 grant: a sign-in page's state or an authorization code (stored hashed). */
@Entity('oauth_grants')
export class OAuthGrantEntity {
  @PrimaryColumn({ name: 'key_hash', type: 'char', length: 64 })
  keyHash: string;

  @Column({ type: 'varchar', length: 16 })
  kind: OAuthGrantKind;

  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;
}

/** One OAuth2 sign-in; its refresh token (hashed) and the access tokens minted in it end when it is revoked. */
@Entity('oauth_sessions')
export class OAuthSessionEntity {
  @PrimaryColumn({ type: 'char', length: 32 })
  id: string;

  @Column({ name: 'user_id', type: 'char', length: 32 })
  userId: string;

  @Column({ name: 'client_id', type: 'varchar', length: 64 })
  clientId: string;

  @Column({ name: 'refresh_hash', type: 'char', length: 64, nullable: true })
  refreshHash: string | null;

  @Column({ type: 'timestamptz' })
  created: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
