import { MigrationInterface, QueryRunner } from 'typeorm';

/** The notifier looks every second for tasks whose last notification waits on a URL delivery: only those are indexed. */
export class UrlNoticeOutcomes1764140000000 implements MigrationInterface {
  name = 'UrlNoticeOutcomes1764140000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX tasks_url_notice_queued ON tasks (id) WHERE last_notification @> '{"sent":[{"status":"queued"}]}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS tasks_url_notice_queued`);
  }
}
