import { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
}

/**
 * A real SMTP server on loopback (the `smtp-server` package): mail arrives over SMTP and is parsed with mailparser.
 * `broken = true` makes it refuse every message with a 451, as a failing mail server does.
 */
export class SmtpReceiver {
  readonly mails: ReceivedMail[] = [];
  broken = false;
  port = 0;
  private server!: SMTPServer;

  static async start(): Promise<SmtpReceiver> {
    const r = new SmtpReceiver();
    r.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (r.broken) return callback(Object.assign(new Error('Mailbox unavailable, try later'), { responseCode: 451 }));
          simpleParser(Buffer.concat(chunks))
            .then((m) => {
              r.mails.push({
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                to: session.envelope.rcptTo.map((a) => a.address),
                subject: m.subject ?? '',
                text: m.text ?? '',
              });
              callback();
            })
            .catch(callback);
        });
      },
    });
    await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
    r.port = (r.server.server.address() as AddressInfo).port;
    return r;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  to(address: string): ReceivedMail[] {
    return this.mails.filter((m) => m.to.includes(address));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
