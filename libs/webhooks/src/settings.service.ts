import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { WebhookSettingsEntity } from '@app/db';

export interface WebhookSettings {
  notificationAttempts: number;
  notificationTimeOutInSeconds: number;
  notificationElapsedTimeInSeconds: number;
}

export const DEFAULT_SETTINGS: WebhookSettings = { notificationAttempts: 3, notificationTimeOutInSeconds: 10, notificationElapsedTimeInSeconds: 30 };

/**
 * The site's delivery settings. Read at fan-out (attempts, pause: fixed for that delivery) and at each
 * attempt (timeout).
 */
@Injectable()
export class WebhookSettingsService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async get(): Promise<WebhookSettings> {
    const row = await this.ds.manager.findOneBy(WebhookSettingsEntity, { id: 1 });
    if (!row) return { ...DEFAULT_SETTINGS };
    return {
      notificationAttempts: row.notificationAttempts,
      notificationTimeOutInSeconds: row.notificationTimeOutInSeconds,
      notificationElapsedTimeInSeconds: row.notificationElapsedTimeInSeconds,
    };
  }

  async update(patch: Partial<WebhookSettings>): Promise<WebhookSettings> {
    const next = { ...(await this.get()), ...patch };
    await this.ds.manager.upsert(WebhookSettingsEntity, { id: 1, ...next }, ['id']);
    return next;
  }
}

/** Attempts of one delivery: 0 is accepted as documented and means one attempt, no retry. */
export const attemptsOf = (s: WebhookSettings) => Math.max(1, s.notificationAttempts);

/** The per-attempt timeout: 0 is accepted as documented and means the shortest one, 1 s; we never wait forever. */
export const timeoutMsOf = (s: WebhookSettings) => Math.max(1, s.notificationTimeOutInSeconds) * 1000;
