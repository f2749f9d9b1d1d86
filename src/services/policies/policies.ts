// The policies the request path reads: each account's policies cached in-process, dropped whenever the store
// changes (ChangeWatcher) or this process writes one, so an edit applies on the very next request.
import { combinePolicies, type EffectivePolicy, type Policy } from '../../domain/policies/policy.js';
import { PgStore } from '../../store/postgres/pg-store.js';
import { PgPolicyStore } from '../../store/postgres/policies-store.js';
import { SqlitePolicyStore } from '../../store/sqlite/policies-store.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { KeyLookup, Store } from '../../store/store.js';
import type { PolicyStore } from './policy-store.js';

const MAX_CACHED_ACCOUNTS = 100_000;

export class Policies {
  private cache = new Map<string, Promise<Policy[]>>();

  constructor(readonly store: PolicyStore) {}

  invalidate(): void {
    this.cache = new Map();
  }

  /** The combined policy of the key's account, its project and the key itself. */
  async effective(who: Pick<KeyLookup, 'account' | 'key'>): Promise<EffectivePolicy> {
    return effectiveFor(await this.ofAccount(who.account.id), who.key.projectId, who.key.id);
  }

  private ofAccount(accountId: string): Promise<Policy[]> {
    let found = this.cache.get(accountId);
    if (!found) {
      if (this.cache.size >= MAX_CACHED_ACCOUNTS) this.cache = new Map();
      found = this.store.listPolicies(accountId);
      // A failed read is not cached: the next request asks the store again.
      found.catch(() => this.cache.delete(accountId));
      this.cache.set(accountId, found);
    }
    return found;
  }
}

/** The policies that apply to one key (its account's, its project's when it has one, its own), combined. */
export function effectiveFor(policies: readonly Policy[], projectId: string | null, keyId: string | null): EffectivePolicy {
  return combinePolicies(policies.filter((p) => p.scope === 'account'
    || (p.scope === 'project' && p.scopeId === projectId) || (p.scope === 'key' && p.scopeId === keyId)));
}

export function policyStoreFor(store: Store): PolicyStore {
  if (store instanceof SqliteStore) return new SqlitePolicyStore(store.db);
  if (store instanceof PgStore) return new PgPolicyStore(store.pool);
  throw new Error(`request policies are not implemented for the ${store.kind} store`);
}
