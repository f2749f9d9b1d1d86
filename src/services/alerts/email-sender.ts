// Sends an alert by email over SMTP (nodemailer): plain text and simple HTML, from TOLLGATE_ALERT_FROM through
// TOLLGATE_SMTP_URL. Without both settings every email delivery fails at once, saying so in the log.
import { createTransport, type Transporter } from 'nodemailer';
import type { EmailChannel } from '../../domain/alerts/rule.js';
import { errorText, type ChannelSender, type OutgoingAlert, type SendOutcome } from './channel-sender.js';
import { parseAlertEvent, renderAlertEmail } from './email-message.js';

export interface EmailSenderOptions {
  /** e.g. `smtp://user:pass@mail.example.com:587` or `smtps://…:465` (TOLLGATE_SMTP_URL). */
  smtpUrl: string | undefined;
  /** The From address (TOLLGATE_ALERT_FROM), e.g. `Tollgate <alerts@example.com>`. */
  from: string | undefined;
  /** Connection, greeting and socket timeout per attempt; default 10 s. Keep it well under the worker's lease. */
  timeoutMs?: number;
}

export class EmailSender implements ChannelSender<EmailChannel> {
  private transport: Transporter | undefined;

  constructor(private readonly opts: EmailSenderOptions) {}

  get configured(): boolean {
    return Boolean(this.opts.smtpUrl && this.opts.from);
  }

  async send(alert: OutgoingAlert, channel: EmailChannel): Promise<SendOutcome> {
    if (!this.opts.smtpUrl || !this.opts.from) {
      return { ok: false, statusCode: null, error: 'email is not configured: set TOLLGATE_SMTP_URL and TOLLGATE_ALERT_FROM', retryable: false };
    }
    let message;
    try {
      message = renderAlertEmail(parseAlertEvent(alert.payload), channel);
    } catch (err) {
      return { ok: false, statusCode: null, error: `cannot render the alert: ${errorText(err)}`, retryable: false };
    }
    const timeout = this.opts.timeoutMs ?? 10_000;
    this.transport ??= createTransport({
      url: this.opts.smtpUrl, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout,
    });
    try {
      const info = await this.transport.sendMail({
        from: this.opts.from,
        to: channel.recipients,
        subject: message.subject,
        text: message.text,
        html: message.html,
        headers: { 'X-Tollgate-Event-Id': alert.eventId },
      });
      const code = /^(\d{3})/.exec(String((info as { response?: unknown }).response ?? ''))?.[1];
      return { ok: true, statusCode: code === undefined ? null : Number(code), error: null, retryable: true };
    } catch (err) {
      const code = (err as { responseCode?: unknown }).responseCode;
      return { ok: false, statusCode: typeof code === 'number' ? code : null, error: errorText(err), retryable: true };
    }
  }

  close(): void {
    this.transport?.close();
    this.transport = undefined;
  }
}
