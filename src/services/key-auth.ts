// Resolves a bearer token to its key and account, with an in-process cache that is dropped whenever the store
// changes (so a revocation from the CLI takes effect on the very next request).
import type { IncomingHttpHeaders } from 'node:http';
import { hashApiKey } from '../domain/ids/api-key.js';
import { InvalidApiKeyError, MissingApiKeyError, PermissionDeniedError, redactSecret } from '../http/errors.js';
import type { KeyLookup, Store } from '../store/store.js';

const MAX_CACHED = 100_000;

export class KeyAuth {
  private cache = new Map<string, KeyLookup | null>();

  constructor(private readonly store: Store) {}

  invalidate(): void {
    this.cache = new Map();
  }

  /** A project key for the OpenAI surface; admin keys are refused there, as OpenAI refuses them. */
  async projectKey(headers: IncomingHttpHeaders): Promise<KeyLookup> {
    const found = await this.lookup(headers);
    if (found.key.kind !== 'project') {
      throw new PermissionDeniedError('Admin keys cannot be used for model requests; use a project API key.');
    }
    return found;
  }

  /** An account admin key, for the account's own /v1/organization/* endpoints. */
  async adminKey(headers: IncomingHttpHeaders): Promise<KeyLookup> {
    const found = await this.lookup(headers);
    if (found.key.kind !== 'admin') {
      throw new PermissionDeniedError('This endpoint needs an admin key (tollgate keys create --admin).');
    }
    return found;
  }

  private async lookup(headers: IncomingHttpHeaders): Promise<KeyLookup> {
    const secret = bearerToken(headers);
    if (!secret) throw new MissingApiKeyError();
    const hash = hashApiKey(secret);
    let found = this.cache.get(hash);
    if (found === undefined) {
      found = (await this.store.findKeyByHash(hash)) ?? null;
      if (this.cache.size >= MAX_CACHED) this.cache = new Map();
      this.cache.set(hash, found);
    }
    if (!found || found.key.revokedAt !== null) throw new InvalidApiKeyError(redactSecret(secret));
    return found;
  }
}

export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (typeof auth !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  return match?.[1];
}
