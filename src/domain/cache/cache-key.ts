// The cache key of a request: sha256 over the account, the endpoint and the canonical body. The account id is part
// of the hashed material (and of the stored key's prefix), so an answer can never be found from another account.
import { createHash } from 'node:crypto';
import type { Endpoint } from '../metering/endpoint.js';
import { canonicalJson } from './canonical.js';

/**
 * Top-level fields that never change what the model answers: end-user ids and tags for the caller's own
 * bookkeeping, and upstream prompt-cache routing hints. Every other field is part of the key.
 */
export const IGNORED_FIELDS: ReadonlySet<string> = new Set(['user', 'metadata', 'safety_identifier', 'prompt_cache_key', 'prompt_cache_retention']);

export interface CacheKey {
  accountId: string;
  /** Hex sha256 of account, endpoint and canonical body. */
  digest: string;
}

export function cacheKey(accountId: string, endpoint: Endpoint, body: Record<string, unknown>): CacheKey {
  const digest = createHash('sha256')
    .update(accountId).update('\n').update(endpoint).update('\n')
    .update(canonicalJson(body, IGNORED_FIELDS))
    .digest('hex');
  return { accountId, digest };
}

/** The stored key: prefix, the account as a hash tag (one cluster slot per account), and the digest. */
export function storageKey(prefix: string, key: CacheKey): string {
  return `${prefix}{${key.accountId}}:${key.digest}`;
}
