// What a channel sender is given and reports: one attempt to deliver one alert to one destination.
import type { EmailChannel, WebhookChannel } from '../../domain/alerts/rule.js';

export interface OutgoingAlert {
  deliveryId: string;
  eventId: string;
  /** The stored JSON body (an AlertEvent), sent and signed byte for byte. */
  payload: string;
  /** 1 for the first attempt. */
  attempt: number;
}

export interface SendOutcome {
  ok: boolean;
  /** HTTP status (webhook) or SMTP reply code (email), when the peer answered. */
  statusCode: number | null;
  error: string | null;
  /** False when trying again cannot help (e.g. email not configured); the delivery then fails at once. */
  retryable: boolean;
}

export interface ChannelSender<C> {
  send(alert: OutgoingAlert, channel: C): Promise<SendOutcome>;
}

export interface ChannelSenders {
  webhook?: ChannelSender<WebhookChannel>;
  email?: ChannelSender<EmailChannel>;
}

export const errorText = (err: unknown): string => {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message;
};
