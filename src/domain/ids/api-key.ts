// Tollgate API keys: `tg-` + 43 base62 characters (256 bits), shown once, stored only as a SHA-256 hash.
import { hash } from 'node:crypto';
import { randomBase62 } from './ids.js';

export const KEY_PREFIX = 'tg-';

export function generateApiKey(): string {
  return KEY_PREFIX + randomBase62(32);
}

export function hashApiKey(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/** What may be shown after creation: the first and last few characters only. */
export function redactApiKey(secret: string): string {
  return `${secret.slice(0, 7)}...${secret.slice(-4)}`;
}
