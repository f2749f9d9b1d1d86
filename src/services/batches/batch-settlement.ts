// Keeps each batch held until it ends and settles it once: re-holds a batch whose hold a restart released, and
// settles a finished batch at batch prices from its output and error files' usage.
import { randomBytes } from 'node:crypto';
import { batchPrice } from '../../domain/pricing/batch-price.js';
import { costOf } from '../../domain/pricing/cost.js';
import type { Pico } from '../../domain/money/pico.js';
import { metrics } from '../../observability/metrics.js';
import type { UsageRecord, UsageStatus } from '../../store/records.js';
import type { GatewayDeps } from '../gateway-deps.js';
import { afterSpend } from '../after-spend.js';
import { BATCH_ENDPOINTS } from './batch-plan.js';
import type { BatchRow, BatchStore } from './batch-store.js';
import { addOutputFile, emptyBatchUsage, type BatchUsage } from './batch-usage.js';

/** The endpoint usage records and holds of batches carry. */
export const BATCH_USAGE_ENDPOINT = 'batch';

export const TERMINAL_STATUSES = new Set(['completed', 'failed', 'expired', 'cancelled']);

/** The fields of an upstream batch object settlement reads. */
export interface UpstreamBatch {
  id: string;
  status: string;
  output_file_id?: string | null;
  error_file_id?: string | null;
}

/** The settlement fields of an upstream batch object, or undefined when it is not one. */
export function asUpstreamBatch(json: Record<string, unknown> | undefined): UpstreamBatch | undefined {
  if (!json || typeof json.id !== 'string' || typeof json.status !== 'string') return undefined;
  const file = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  return { id: json.id, status: json.status, output_file_id: file(json.output_file_id), error_file_id: file(json.error_file_id) };
}

export class BatchSettlement {
  constructor(private readonly deps: GatewayDeps, private readonly store: BatchStore) {}

  /**
   * Makes sure the batch is under an open hold. A hold that a restart (or the dead-replica sweep) released is
   * replaced by a new one for the same estimate, under `<batch id>~h<generation>.<random>`; if the credit is gone by then the
   * new hold is for 0 and the settlement captures what is free, the rest recorded as uncollected.
   * Returns the row as it now is, or undefined when the batch needs nothing (settled, or its hold not yet durable).
   */
  async ensureHeld(row: BatchRow): Promise<BatchRow | undefined> {
    if (row.state === 'settled') return undefined;
    await this.deps.wallet.flush();
    const fate = await this.store.holdFate(row.holdRequestId);
    if (fate === 'open') return row;
    if (fate === 'unknown') {
      this.deps.logger.warn('batch hold not found in the ledger yet; retried on the next poll', { batchId: row.batchId, holdRequestId: row.holdRequestId });
      return undefined;
    }
    if (fate === 'settled') {
      await this.store.markSettled(row.batchId, row.holdRequestId, null, this.deps.now());
      return undefined;
    }
    const generation = row.holdGeneration + 1;
    // Unique per attempt: two pollers re-holding at once must never share a hold they could release for each other.
    const holdRequestId = `${row.batchId}~h${generation}.${randomBytes(4).toString('hex')}`;
    const meta = { projectId: row.projectId, keyId: row.keyId, model: row.model, endpoint: BATCH_USAGE_ENDPOINT, stream: false };
    let held = await this.deps.wallet.hold({ requestId: holdRequestId, accountId: row.accountId, amount: row.estimate, meta });
    if (!held.ok) {
      this.deps.logger.warn('batch re-hold refused; holding 0 until it settles', { batchId: row.batchId, accountId: row.accountId });
      held = await this.deps.wallet.hold({ requestId: holdRequestId, accountId: row.accountId, amount: 0n, meta });
      if (!held.ok) return undefined;
    }
    if (!(await this.store.moveHold(row.batchId, row.holdRequestId, holdRequestId, generation))) {
      // Another replica re-held it first: this hold is not needed.
      await this.settleHold(row, holdRequestId, 0n, emptyBatchUsage(), 'interrupted');
      const now = await this.store.getBatch(row.batchId);
      return now && now.state !== 'settled' ? now : undefined;
    }
    return { ...row, holdRequestId, holdGeneration: generation, state: 'pending' };
  }

  /** Settles the batch if `upstream` says it ended: exactly once, whoever calls (poller, retrieve, another replica). */
  async settleIfFinished(row: BatchRow, upstream: UpstreamBatch): Promise<void> {
    if (!TERMINAL_STATUSES.has(upstream.status) || row.state === 'settled') return;
    const live = await this.ensureHeld(row);
    if (!live || live.state !== 'pending') return;
    const endpoint = BATCH_ENDPOINTS[live.endpoint] ?? 'chat.completions';
    const usage = emptyBatchUsage();
    for (const fileId of [upstream.output_file_id, upstream.error_file_id]) {
      if (typeof fileId !== 'string' || fileId === '') continue;
      const res = await this.deps.upstream.send({ method: 'GET', path: `/files/${encodeURIComponent(fileId)}/content` });
      if (res.statusCode < 200 || res.statusCode >= 300) {
        await res.body.dump();
        throw new Error(`reading batch ${live.batchId}'s file ${fileId} failed upstream with status ${res.statusCode}`);
      }
      await addOutputFile(endpoint, res.body, usage);
    }
    if (!(await this.store.claimSettlement(live.batchId, live.holdRequestId))) return;
    const price = this.deps.prices.lookup(live.model, live.createdAt);
    const cost = price ? costOf(usage.tokens, batchPrice(price)) : 0n;
    try {
      await this.settleHold(live, live.holdRequestId, cost, usage, 'ok', price?.effectiveFrom ?? null);
    } catch (err) {
      await this.store.releaseClaim(live.batchId, live.holdRequestId);
      throw err;
    }
    // The wallet takes a settlement only for an open hold: if a sweep released this one meanwhile, nothing was
    // captured, so the batch goes back to pending and the next pass holds it again and settles it then.
    await this.deps.wallet.flush();
    if ((await this.store.holdFate(live.holdRequestId)) !== 'settled') {
      await this.store.releaseClaim(live.batchId, live.holdRequestId);
      this.deps.logger.warn('batch hold was released before its settlement; it will be held and settled again', { batchId: live.batchId });
      return;
    }
    await this.store.markSettled(live.batchId, live.holdRequestId, cost, this.deps.now());
    metrics.batchSettlements.inc();
    if (cost > 0n) afterSpend(this.deps, live.accountId);
  }

  private async settleHold(
    row: BatchRow, requestId: string, cost: Pico, usage: BatchUsage, status: UsageStatus, priceEffectiveFrom: number | null = null,
  ): Promise<void> {
    const now = this.deps.now();
    const record: UsageRecord = {
      requestId, accountId: row.accountId, projectId: row.projectId, keyId: row.keyId, model: row.model, endpoint: BATCH_USAGE_ENDPOINT,
      inputTokens: usage.tokens.inputTokens, cachedInputTokens: usage.tokens.cachedInputTokens, outputTokens: usage.tokens.outputTokens,
      reasoningTokens: usage.tokens.reasoningTokens, cost: 0n, uncollected: 0n, hold: 0n, priceEffectiveFrom, cacheHit: false,
      status, httpStatus: status === 'ok' ? 200 : 0, stream: false, aborted: false, latencyMs: Math.max(0, now - row.createdAt), createdAt: now,
    };
    await this.deps.wallet.settle({ requestId, accountId: row.accountId, cost, usage: record });
  }
}
