// The ExportSource port: usage records and ledger entries of one account and period, read in keyset pages so an
// export of any size holds one page in memory. Adapters: src/store/sqlite/export-pages.ts, src/store/postgres/export-pages.ts.
import { PgStore } from '../../store/postgres/pg-store.js';
import { PgExportPages } from '../../store/postgres/export-pages.js';
import type { LedgerEntry, UsageRecord } from '../../store/records.js';
import { SqliteExportPages } from '../../store/sqlite/export-pages.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';

export interface ExportPeriod {
  accountId: string;
  /** Inclusive, ms. */
  since: number;
  /** Exclusive, ms. */
  until: number;
}

/** Where the previous usage page ended: rows are ordered by (created_at, request_id). */
export interface UsageCursor {
  createdAt: number;
  requestId: string;
}

export interface ExportSource {
  /** Up to `limit` usage records of the period after `after`, ordered by (created_at, request_id). */
  usagePage(period: ExportPeriod, after: UsageCursor | null, limit: number): Promise<UsageRecord[]>;
  /** Up to `limit` ledger entries of the period with seq above `afterSeq`, ordered by seq. */
  ledgerPage(period: ExportPeriod, afterSeq: number, limit: number): Promise<LedgerEntry[]>;
}

export function exportSourceFor(store: Store): ExportSource {
  if (store instanceof SqliteStore) return new SqliteExportPages(store.db);
  if (store instanceof PgStore) return new PgExportPages(store.pool);
  throw new Error(`no export source for ${store.kind}`);
}
