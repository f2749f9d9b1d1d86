// The cache key of a request: sha256 over the account, the endpoint, the model and output cap it is served with, and
// the canonical body. The account id is part
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

/** How the request will be served, beyond its body: a request policy can change either without the body changing. */
export interface ServedAs {
  /** The model that serves it (a substitution's target). */
  model: string;
  /** The output cap sent upstream (a policy's default when the client set none). */
  maxOutputTokens: number;
}

export function cacheKey(accountId: string, endpoint: Endpoint, served: ServedAs, body: Record<string, unknown>): CacheKey {
  // Each canonical form is self-delimiting, so the two written one after the other still decode to one request.
  const material = canonicalForm([accountId, endpoint, served.model, served.maxOutputTokens]) + canonicalForm(body, IGNORED_FIELDS);
  return { accountId, digest: hash('sha256', material, 'hex') };
}

/** The stored key: prefix, the account as a hash tag (one cluster slot per account), and the digest. */
export function storageKey(prefix: string, key: CacheKey): string {
  return `${prefix}{${key.accountId}}:${key.digest}`;
}
