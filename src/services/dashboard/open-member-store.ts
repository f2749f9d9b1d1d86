// Picks the MemberStore adapter for the gateway's store, the way alerts pick theirs.
import { PgStore } from '../../store/postgres/pg-store.js';
import { PgMemberStore } from '../../store/postgres/members-store.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { SqliteMemberStore } from '../../store/sqlite/members-store.js';
import type { Store } from '../../store/store.js';
import type { MemberStore } from './member-store.js';

export function memberStoreFor(store: Store): MemberStore {
  if (store instanceof SqliteStore) return new SqliteMemberStore(store.db);
  if (store instanceof PgStore) return new PgMemberStore(store.pool);
  throw new Error(`no member store for ${store.kind}`);
}
