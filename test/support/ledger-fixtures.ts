// Fixtures for unit tests of the wallet and the SQLite postings: a store on a temp file, a settable clock, accounts,
// hold metadata and usage records with every field filled in.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pico } from '../../src/domain/money/pico.js';
import type { UsageRecord } from '../../src/store/records.js';
import type { HoldMeta } from '../../src/store/store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

export const T0 = Date.UTC(2026, 0, 1);
export const DAY_MS = 86_400_000;

export interface TempStore {
  store: SqliteStore;
  path: string;
  /** Closes `it` (a wallet, another connection) before the store, even when the test failed. */
  track<T extends { close(): Promise<void> }>(it: T): T;
  close(): Promise<void>;
}

export function tempStore(): TempStore {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-unit-'));
  const path = join(dir, 'tollgate.db');
  const store = new SqliteStore(path);
  const tracked: Array<{ close(): Promise<void> }> = [];
  return {
    store, path,
    track(it) {
      tracked.push(it);
      return it;
    },
    async close() {
      for (const it of tracked.reverse()) await it.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A clock tests move by hand. */
export class Clock {
  constructor(public t = T0) {}
  readonly now = (): number => this.t;
  advance(ms: number): number {
    this.t += ms;
    return this.t;
  }
}

export async function newAccount(store: SqliteStore, now = T0): Promise<string> {
  return (await store.createAccount({ name: 'unit', now })).account.id;
}

export const META: HoldMeta = { projectId: null, keyId: null, model: 'gpt-4o-mini', endpoint: 'chat.completions', stream: false };

export function usageFor(requestId: string, accountId: string, at: number, fields: Partial<UsageRecord> = {}): UsageRecord {
  return {
    requestId, accountId, projectId: null, keyId: null, model: 'gpt-4o-mini', endpoint: 'chat.completions',
    inputTokens: 10, cachedInputTokens: 0, outputTokens: 5, reasoningTokens: 0, cost: 0n, uncollected: 0n, hold: 0n,
    priceEffectiveFrom: null, cacheHit: false, status: 'ok', httpStatus: 200, stream: false, aborted: false,
    latencyMs: 1, createdAt: at, ...fields,
  };
}

/** (grant id, amount) of every capture posted for a request, in ledger order. */
export async function capturesOf(store: SqliteStore, accountId: string, requestId: string): Promise<Array<[string, Pico]>> {
  return (await store.listLedger(accountId))
    .filter((e) => e.kind === 'capture' && e.requestId === requestId)
    .map((e) => [e.grantId!, e.amount]);
}
