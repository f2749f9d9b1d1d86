// Group commit: postings made during one turn of the event loop are written in one transaction.
// A settlement's promise resolves only after its posting committed. When a batch fails, its postings are committed
// one by one, so a posting that cannot be written never holds up the others; it is logged, counted and retried with
// backoff, never dropped.
import type { UsageRecord } from '../../store/records.js';
import type { HoldPosting, PostingBatch, SettlementPosting } from '../../store/store.js';
import type { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Logger } from '../../observability/logger.js';
import { metrics } from '../../observability/metrics.js';

const RETRY_MS = 100;
const MAX_RETRY_MS = 10_000;

type Entry =
  | { kind: 'hold'; posting: HoldPosting; done?: () => void }
  | { kind: 'settlement'; posting: SettlementPosting; done?: () => void }
  | { kind: 'usage'; posting: UsageRecord; done?: () => void }
  | { kind: 'marker'; done: () => void };

export class Journal {
  private queue: Entry[] = [];
  private stuck: Entry[] = [];
  private scheduled = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay = RETRY_MS;
  private stopped = false;

  constructor(private readonly store: SqliteStore, private readonly logger: Logger) {}

  hold(posting: HoldPosting): void {
    this.push({ kind: 'hold', posting });
  }

  settle(posting: SettlementPosting): Promise<void> {
    return new Promise((done) => this.push({ kind: 'settlement', posting, done }));
  }

  usage(record: UsageRecord): void {
    this.push({ kind: 'usage', posting: record });
  }

  /** Resolves once everything queued so far is committed. */
  flush(): Promise<void> {
    if (this.queue.length === 0 && this.stuck.length === 0) return Promise.resolve();
    return new Promise((done) => this.push({ kind: 'marker', done }));
  }

  /** Commits synchronously (SQLite is synchronous); used before reading the store for a decision. */
  flushNow(): void {
    if (this.queue.length > 0) this.commit();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  private push(entry: Entry): void {
    this.queue.push(entry);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.commit();
    });
  }

  private commit(): void {
    const entries = this.queue;
    this.queue = [];
    if (entries.length === 0) return;
    const postings = entries.filter((e) => e.kind !== 'marker');
    const markers = entries.filter((e) => e.kind === 'marker');
    try {
      this.store.commitBatchNow(toBatch(postings));
      metrics.journalBatches.inc();
      metrics.journalPostings.inc(postings.length);
      for (const e of postings) e.done?.();
    } catch (err) {
      metrics.journalFailures.inc();
      this.logger.error('journal batch failed; committing its postings one by one', { error: (err as Error).message, postings: postings.length });
      for (const e of postings) this.commitAlone(e);
    }
    // A flush waits for every posting queued before it, stuck ones included.
    if (this.stuck.length === 0) for (const m of markers) m.done?.();
    else {
      this.stuck.push(...markers);
      this.scheduleRetry();
    }
  }

  private commitAlone(e: Entry): boolean {
    try {
      this.store.commitBatchNow(toBatch([e]));
      metrics.journalPostings.inc();
      e.done?.();
      return true;
    } catch (err) {
      metrics.journalFailures.inc();
      this.logger.error('journal posting failed; will retry', { kind: e.kind, error: (err as Error).message });
      if (!this.stuck.includes(e)) this.stuck.push(e);
      return false;
    }
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      const stuck = this.stuck;
      this.stuck = [];
      const postings = stuck.filter((e) => e.kind !== 'marker');
      let failed = false;
      for (const e of postings) if (!this.commitAlone(e)) failed = true;
      const markers = stuck.filter((e) => e.kind === 'marker');
      if (failed) {
        this.stuck.push(...markers);
        this.retryDelay = Math.min(this.retryDelay * 2, MAX_RETRY_MS);
        this.scheduleRetry();
      } else {
        this.retryDelay = RETRY_MS;
        for (const m of markers) m.done?.();
      }
    }, this.retryDelay);
  }
}

function toBatch(entries: readonly Entry[]): PostingBatch {
  const batch = { holds: [] as HoldPosting[], settlements: [] as SettlementPosting[], usages: [] as UsageRecord[] };
  for (const e of entries) {
    if (e.kind === 'hold') batch.holds.push(e.posting);
    else if (e.kind === 'settlement') batch.settlements.push(e.posting);
    else if (e.kind === 'usage') batch.usages.push(e.posting);
  }
  return batch;
}
