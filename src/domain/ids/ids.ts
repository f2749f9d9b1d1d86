// Random identifiers and API key secrets: prefix + base62 from the OS CSPRNG.
import { randomBytes, randomFillSync } from 'node:crypto';

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

let lastMs = 0;
let counter = 0;

// Request ids take their random part from a pool refilled 4 KB at a time: one CSPRNG call per 512 ids instead of
// one per id (each call is a round trip into the crypto binding, several µs on the hot path).
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let poolAt = POOL_BYTES;

function randomHex8(): string {
  if (poolAt + 8 > POOL_BYTES) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const hex = pool.toString('hex', poolAt, poolAt + 8);
  poolAt += 8;
  return hex;
}

/**
 * Request ids as OpenAI writes them (`req_` + 32 hex characters), time-ordered: 12 hex of milliseconds, 4 of a
 * per-millisecond counter, then 16 random. Rows keyed by them land at the end of their indexes instead of on random
 * pages, which makes each SQLite commit several times cheaper (bench/journal-cost.ts); 64 random bits keep them
 * unguessable.
 */
export function newRequestId(now = Date.now()): string {
  if (now === lastMs) counter = (counter + 1) & 0xffff;
  else {
    lastMs = now;
    counter = 0;
  }
  return `req_${now.toString(16).padStart(12, '0')}${counter.toString(16).padStart(4, '0')}${randomHex8()}`;
}
