// The cache key of a request: sha256 over the account, the endpoint and the canonical body. The account id is part
// of the hashed material (and of the stored key's prefix), so an answer can never be found from another account.
import { hash } from 'node:crypto';
import type { Endpoint } from '../metering/endpoint.js';
import { canonicalForm } from './canonical.js';

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
  // Account ids and endpoint names never hold a newline, so the three parts cannot run into each other.
  const digest = hash('sha256', `${accountId}\n${endpoint}\n${canonicalForm(body, IGNORED_FIELDS)}`, 'hex');
  return { accountId, digest };
}

/** The stored key: prefix, the account as a hash tag (one cluster slot per account), and the digest. */
export function storageKey(prefix: string, key: CacheKey): string {
  return `${prefix}{${key.accountId}}:${key.digest}`;
}
