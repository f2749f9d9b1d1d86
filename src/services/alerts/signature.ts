// The webhook signature scheme receivers verify: `tollgate-signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` where the
// HMAC (keyed with the rule's webhook secret) covers "<t>.<raw body>". The timestamp bounds replays.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { randomBase62 } from '../../domain/ids/ids.js';

export const SIGNATURE_HEADER = 'tollgate-signature';
export const EVENT_ID_HEADER = 'tollgate-event-id';
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** A new webhook signing secret: `whsec_` and 32 bytes of base62. */
export function newWebhookSecret(): string {
  return `whsec_${randomBase62(32)}`;
}

function hmacHex(secret: string, timestamp: number, rawBody: string | Uint8Array): string {
  const mac = createHmac('sha256', secret);
  mac.update(`${timestamp}.`);
  mac.update(rawBody);
  return mac.digest('hex');
}

/** The `tollgate-signature` header value for `rawBody` signed at `timestamp` (unix seconds). */
export function signWebhookPayload(rawBody: string | Uint8Array, secret: string, timestamp: number): string {
  return `t=${timestamp},v1=${hmacHex(secret, timestamp, rawBody)}`;
}

export type WebhookVerification =
  | { valid: true; timestamp: number }
  | { valid: false; reason: 'missing_header' | 'malformed_header' | 'stale_timestamp' | 'bad_signature' };

export interface VerifyOptions {
  /** How far the signature's timestamp may be from `now`, either way; default 300. */
  toleranceSeconds?: number;
  /** The receiver's clock, ms since the epoch; default Date.now(). */
  now?: number;
}

/**
 * Checks a webhook the way a receiver must: the HMAC of "<t>.<raw body>" under `secret` matches one `v1` value,
 * compared in constant time, and `t` is within the tolerance of now (a replayed old delivery is refused).
 * Pass the body exactly as received (bytes or the undecoded string), not re-serialized JSON.
 * @example
 * const check = verifyWebhookSignature(rawBody, req.headers['tollgate-signature'], process.env.TOLLGATE_WEBHOOK_SECRET!);
 * if (!check.valid) return res.writeHead(400).end(check.reason);
 */
export function verifyWebhookSignature(
  rawBody: string | Uint8Array,
  header: string | readonly string[] | null | undefined,
  secret: string,
  opts: VerifyOptions = {},
): WebhookVerification {
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== 'string' || value === '') return { valid: false, reason: 'missing_header' };
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return { valid: false, reason: 'malformed_header' };
    const key = part.slice(0, eq).trim();
    const val = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(val) || timestamp !== undefined) return { valid: false, reason: 'malformed_header' };
      timestamp = Number(val);
    } else if (key === 'v1') {
      if (!/^[0-9a-f]{64}$/.test(val)) return { valid: false, reason: 'malformed_header' };
      signatures.push(val);
    }
  }
  if (timestamp === undefined || signatures.length === 0) return { valid: false, reason: 'malformed_header' };
  const tolerance = opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const nowSeconds = Math.floor((opts.now ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - timestamp) > tolerance) return { valid: false, reason: 'stale_timestamp' };
  const expected = Buffer.from(hmacHex(secret, timestamp, rawBody), 'hex');
  const matches = signatures.some((sig) => timingSafeEqual(Buffer.from(sig, 'hex'), expected));
  return matches ? { valid: true, timestamp } : { valid: false, reason: 'bad_signature' };
}
