// Sends an alert to a webhook: POST of the stored JSON body, signed (tollgate-signature) at the time of each attempt.
// Only a 2xx answer counts as delivered; redirects are not followed.
import type { WebhookChannel } from '../../domain/alerts/rule.js';
import { errorText, type ChannelSender, type OutgoingAlert, type SendOutcome } from './channel-sender.js';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signWebhookPayload } from './signature.js';

export interface WebhookSenderOptions {
  /** Per attempt; default 10 s. Keep it well under the worker's lease. */
  timeoutMs?: number;
  /** Clock for the signature timestamp (ms); default Date.now. */
  now?: () => number;
}

const ERROR_BODY_CHARS = 200;

export class WebhookSender implements ChannelSender<WebhookChannel> {
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(opts: WebhookSenderOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  async send(alert: OutgoingAlert, channel: WebhookChannel): Promise<SendOutcome> {
    const timestamp = Math.floor(this.now() / 1000);
    let response: Response;
    try {
      response = await fetch(channel.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Tollgate-Webhooks/1',
          [SIGNATURE_HEADER]: signWebhookPayload(alert.payload, channel.secret, timestamp),
          [EVENT_ID_HEADER]: alert.eventId,
          'tollgate-delivery-id': alert.deliveryId,
          'tollgate-delivery-attempt': String(alert.attempt),
        },
        body: alert.payload,
      });
    } catch (err) {
      return { ok: false, statusCode: null, error: errorText(err), retryable: true };
    }
    const snippet = await readSnippet(response);
    if (response.status >= 200 && response.status < 300) return { ok: true, statusCode: response.status, error: null, retryable: true };
    return {
      ok: false,
      statusCode: response.status,
      error: `HTTP ${response.status}${snippet ? `: ${snippet}` : ''}`,
      retryable: true,
    };
  }
}

/** The start of the answer's body (for the log), without reading a large body to its end. */
async function readSnippet(response: Response): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  let text = '';
  const decoder = new TextDecoder();
  try {
    while (text.length < ERROR_BODY_CHARS) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // The body broke off; what was read is enough for the log.
  } finally {
    await reader.cancel().catch(() => {});
  }
  return text.slice(0, ERROR_BODY_CHARS).replace(/\s+/g, ' ').trim();
}
