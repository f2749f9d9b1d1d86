// Group commit: postings made during one turn of the event loop are written in one transaction.
// A settlement's promise resolves only after its batch committed; a failed batch is logged, counted and retried,
// never dropped.
import type { UsageRecord } from '../../store/records.js';
import type { HoldPosting, SettlementPosting } from '../../store/store.js';
import type { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Logger } from '../../observability/logger.js';
import { metrics } from '../../observability/metrics.js';

const RETRY_MS = 100;

export class Journal {
  private holds: HoldPosting[] = [];
  private settlements: SettlementPosting[] = [];
  private usages: UsageRecord[] = [];
  private waiters: Array<() => void> = [];
  private scheduled = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly store: SqliteStore, private readonly logger: Logger) {}

  hold(posting: HoldPosting): void {
    this.holds.push(posting);
    this.schedule();
  }

  settle(posting: SettlementPosting): Promise<void> {
    this.settlements.push(posting);
    return this.waitForCommit();
  }

  usage(record: UsageRecord): void {
    this.usages.push(record);
    this.schedule();
  }

  /** Resolves once everything queued so far is committed. */
  flush(): Promise<void> {
    if (this.isEmpty()) return Promise.resolve();
    return this.waitForCommit();
  }

  /** Commits synchronously (SQLite is synchronous); used before reading the store for a decision. */
  flushNow(): void {
    if (this.isEmpty()) return;
    this.commit();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  private isEmpty(): boolean {
    return this.holds.length === 0 && this.settlements.length === 0 && this.usages.length === 0;
  }

  private waitForCommit(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.retryTimer) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.commit();
    });
  }

  private commit(): void {
    if (this.isEmpty()) {
      this.resolveWaiters();
      return;
    }
    const holds = this.holds;
    const settlements = this.settlements;
    const usages = this.usages;
    const waiters = this.waiters;
    this.holds = [];
    this.settlements = [];
    this.usages = [];
    this.waiters = [];
    try {
      this.store.commitBatchNow({ holds, settlements, usages });
      metrics.journalBatches.inc();
      metrics.journalPostings.inc(holds.length + settlements.length + usages.length);
      for (const resolve of waiters) resolve();
    } catch (err) {
      metrics.journalFailures.inc();
      this.logger.error('journal commit failed; retrying', { error: (err as Error).message, postings: holds.length + settlements.length });
      // Put everything back in front of anything queued since, and try again shortly.
      this.holds = holds.concat(this.holds);
      this.settlements = settlements.concat(this.settlements);
      this.usages = usages.concat(this.usages);
      this.waiters = waiters.concat(this.waiters);
      if (!this.stopped && !this.retryTimer) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.commit();
        }, RETRY_MS);
      }
    }
  }

  private resolveWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
