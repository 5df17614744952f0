import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, LessThan } from 'typeorm';
import { OAuthGrantEntity, OAuthGrantKind, OAuthSessionEntity } from '@app/db';

// TypeORM answers UPDATE … RETURNING on Postgres as [rows, rowCount].
const returning = <T>(r: unknown): T[] => (Array.isArray(r) && Array.isArray(r[0]) ? (r[0] as T[]) : (r as T[]));

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Grants (state, code) and sessions of OAuth2 sign-in. Secrets are looked up by their SHA-256 only. */
@Injectable()
export class OAuthRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async putGrant(kind: OAuthGrantKind, secret: string, payload: Record<string, unknown>, expiresAt: Date, now: Date): Promise<void> {
    const m = this.ds.manager;
    await m.delete(OAuthGrantEntity, { expiresAt: LessThan(new Date(now.getTime() - 3600_000)) });
    await m.insert(OAuthGrantEntity, { keyHash: sha256(secret), kind, payload, expiresAt, usedAt: null } as never);
  }

  /** Uses a grant up: at most one caller ever gets its payload, and only before it expires. */
  async takeGrant(kind: OAuthGrantKind, secret: string, now: Date): Promise<Record<string, unknown> | null> {
    const r = await this.ds.query(
      `UPDATE oauth_grants SET used_at = $3 WHERE key_hash = $1 AND kind = $2 AND used_at IS NULL AND expires_at > $3 RETURNING payload`,
      [sha256(secret), kind, now],
    );
    return returning<{ payload: Record<string, unknown> }>(r)[0]?.payload ?? null;
  }

  async createSession(s: OAuthSessionEntity): Promise<void> {
    await this.ds.manager.insert(OAuthSessionEntity, s);
  }

  /** The live session a refresh token belongs to. */
  findByRefresh(refreshToken: string, now: Date): Promise<OAuthSessionEntity | null> {
    return this.ds.manager
      .createQueryBuilder(OAuthSessionEntity, 's')
      .where('s.refresh_hash = :h AND s.revoked_at IS NULL AND s.expires_at > :now', { h: sha256(refreshToken), now })
      .getOne();
  }

  async isLive(sessionId: string, now: Date): Promise<boolean> {
    return this.ds.manager
      .createQueryBuilder(OAuthSessionEntity, 's')
      .where('s.id = :id AND s.revoked_at IS NULL AND s.expires_at > :now', { id: sessionId, now })
      .getExists();
  }

  /** Revokes a session; answers its user's id when this call ended it (null when it was already over). */
  async revoke(sessionId: string, now: Date): Promise<string | null> {
    const r = await this.ds.query(`UPDATE oauth_sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING user_id`, [sessionId, now]);
    return returning<{ user_id: string }>(r)[0]?.user_id ?? null;
  }
}
