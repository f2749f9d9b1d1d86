// Random identifiers and API key secrets: prefix + base62 from the OS CSPRNG.
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Base62 text carrying at least `bytes` bytes of entropy (rejection sampling keeps it unbiased). */
export function randomBase62(bytes: number): string {
  const length = Math.ceil((bytes * 8) / Math.log2(62));
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 248) out += ALPHABET[b % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

export function newId(prefix: string): string {
  return `${prefix}_${randomBase62(12)}`;
}

/** Request ids as OpenAI writes them: `req_` + 32 hex-like characters. */
export function newRequestId(): string {
  return `req_${randomBytes(16).toString('hex')}`;
}
