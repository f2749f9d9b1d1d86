// Redemption codes: generation (80 bits from an unambiguous alphabet, grouped XXXX-XXXX-XXXX-XXXX), the lenient
// normalisation of what a person types, the stored hash, and the hint shown on receipts. Pure but for randomness.
import { createHash, randomBytes } from 'node:crypto';

/** 32 symbols (5 bits each): digits and capitals without 0/O and 1/I, which people confuse when typing. */
export const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const CODE_LENGTH = 16;
export const CODE_GROUP = 4;
/** log2(32) × 16 = 80 bits of entropy per code. */
export const CODE_ENTROPY_BITS = Math.log2(CODE_ALPHABET.length) * CODE_LENGTH;

/** A new random code, e.g. "7KQX-M2ZD-HR4N-WC9A". 256 is a multiple of 32, so `byte & 31` is uniform. */
export function generateCode(random: (n: number) => Buffer = randomBytes): string {
  const bytes = random(CODE_LENGTH);
  let raw = '';
  for (let i = 0; i < CODE_LENGTH; i++) raw += CODE_ALPHABET[bytes[i]! & 31];
  return groupCode(raw);
}

export function groupCode(raw: string): string {
  const groups: string[] = [];
  for (let i = 0; i < raw.length; i += CODE_GROUP) groups.push(raw.slice(i, i + CODE_GROUP));
  return groups.join('-');
}

/**
 * The canonical form of what was typed: upper case, without spaces and dashes. Undefined when it cannot be a code
 * (wrong length or a symbol outside the alphabet), so a typo never reaches the store.
 */
export function normalizeCode(input: string): string | undefined {
  const raw = input.toUpperCase().replace(/[\s-]/g, '');
  if (raw.length !== CODE_LENGTH) return undefined;
  for (const ch of raw) if (!CODE_ALPHABET.includes(ch)) return undefined;
  return raw;
}

/**
 * What is stored: SHA-256 of the canonical code, hex. A fast, unsalted hash is enough because a code is 80 random
 * bits, not a password: recovering one from a leaked hash means searching 2^80 candidates (a dictionary does not
 * help), and the hash is also the unique lookup key, which a per-row salt would prevent.
 */
export function hashCode(canonical: string): string {
  return createHash('sha256').update(`tollgate-code:${canonical}`).digest('hex');
}

/** The last group, as receipts show it ("…-WC9A"): a used code's tail, never enough to redeem anything. */
export function codeHint(canonical: string): string {
  return `…-${canonical.slice(-CODE_GROUP)}`;
}
