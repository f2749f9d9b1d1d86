// Process-wide counters, exposed on the admin metrics endpoint. Cheap enough for the hot path.
export class Counter {
  private value = 0;
  constructor(readonly name: string, readonly help: string) {}
  inc(by = 1): void {
    this.value += by;
  }
  get(): number {
    return this.value;
  }
}

export const metrics = {
  requests: new Counter('tollgate_requests_total', 'Requests received on the OpenAI surface'),
  quotaRefusals: new Counter('tollgate_insufficient_quota_total', 'Requests refused for lack of credit'),
  rateLimited: new Counter('tollgate_rate_limited_total', 'Requests refused by a rate limit'),
  upstreamErrors: new Counter('tollgate_upstream_errors_total', 'Upstream failures before any response'),
  journalBatches: new Counter('tollgate_journal_batches_total', 'Group-commit batches written'),
  journalPostings: new Counter('tollgate_journal_postings_total', 'Postings written by the journal'),
  storeFailures: new Counter('tollgate_store_failures_total', 'Store operations that failed (each retried or answered 503)'),
  cacheHits: new Counter('tollgate_cache_hits_total', 'Requests answered from the response cache'),
  cacheUnavailable: new Counter('tollgate_cache_unavailable_total', 'Cache lookups bypassed because the backend was unreachable'),
  journalFailures: new Counter('tollgate_journal_failures_total', 'Group-commit batches that failed and were retried'),
  batchPollFailures: new Counter('tollgate_batch_poll_failures_total', 'Batch polls or settlements that failed (retried on the next poll)'),
  batchSettlements: new Counter('tollgate_batch_settlements_total', 'Batches settled at batch prices'),
};

export function renderMetrics(): string {
  return Object.values(metrics)
    .map((c) => `# HELP ${c.name} ${c.help}\n# TYPE ${c.name} counter\n${c.name} ${c.get()}\n`)
    .join('');
}
