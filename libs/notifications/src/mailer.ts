import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { Transporter } from 'nodemailer';
import { APP_CONFIG, AppConfig } from '@app/config';

/** Raised when no SMTP server is configured (SMTP_URL). */
export class NoSmtpServer extends Error {}

/** The only class that speaks SMTP (nodemailer). One pooled transport, with timeouts so a dead server cannot hang a send. */
@Injectable()
export class Mailer implements OnApplicationShutdown {
  private transport?: Transporter;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private get smtp(): Transporter {
    const url = this.config.notifications.smtpUrl;
    if (!url) throw new NoSmtpServer('no SMTP server is configured (SMTP_URL)');
    this.transport ??= nodemailer.createTransport(
      { url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 },
      { from: this.config.notifications.smtpFrom },
    );
    return this.transport;
  }

  async send(m: { to: string[]; subject: string; text: string }): Promise<void> {
    await this.smtp.sendMail({ to: m.to, subject: m.subject, text: m.text });
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
