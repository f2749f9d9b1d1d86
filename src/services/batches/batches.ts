// The Batch API service: the account's ownership of upstream files and batches, holding a batch at creation,
// keeping it held across restarts, and settling it when it ends. One per gateway (batchesFor).
import type { IncomingMessage } from 'node:http';
import type { Dispatcher } from 'undici';
import { formatCredits } from '../../domain/money/pico.js';
import { ApiError, InsufficientQuotaError, InvalidJsonError, InvalidRequestError, NotFoundError } from '../../http/errors.js';
import { parseJsonObject, readBody } from '../../http/read-body.js';
import { metrics } from '../../observability/metrics.js';
import { PgStore } from '../../store/postgres/pg-store.js';
import { PgBatchStore } from '../../store/postgres/batch-store.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { SqliteBatchStore } from '../../store/sqlite/batch-store.js';
import type { UsageRecord } from '../../store/records.js';
import type { KeyLookup, Store } from '../../store/store.js';
import { toUpstreamError } from '../../upstream/upstream-client.js';
import type { GatewayDeps } from '../gateway-deps.js';
import type { RequestContext } from '../usage-record.js';
import { planBatch, type BatchPlan } from './batch-plan.js';
import { BATCH_USAGE_ENDPOINT, BatchSettlement, TERMINAL_STATUSES, asUpstreamBatch, type UpstreamBatch } from './batch-settlement.js';
import type { BatchRow, BatchStore } from './batch-store.js';
import { readBounded } from './read-bounded.js';

const services = new WeakMap<GatewayDeps, Batches>();

export function batchesFor(deps: GatewayDeps): Batches {
  let s = services.get(deps);
  if (!s) {
    s = new Batches(deps, batchStoreFor(deps.store));
    services.set(deps, s);
  }
  return s;
}

function batchStoreFor(store: Store): BatchStore {
  if (store instanceof SqliteStore) return new SqliteBatchStore(store.db);
  if (store instanceof PgStore) return new PgBatchStore(store.pool);
  throw new Error(`no batch store for store ${store.kind}`);
}

/** OpenAI's 404 for a file id it does not know; the same for another account's file. */
export function noSuchFile(id: string, param = 'id'): ApiError {
  return new ApiError(404, `No such File object: ${id}`, { param });
}

export function noSuchBatch(id: string): ApiError {
  return new ApiError(404, `No batch found with id '${id}'.`, { param: 'batch_id' });
}

export class Batches {
  readonly settlement: BatchSettlement;

  constructor(private readonly deps: GatewayDeps, readonly store: BatchStore) {
    this.settlement = new BatchSettlement(deps, store);
  }

  async ownFile(who: KeyLookup, fileId: string, param = 'id'): Promise<void> {
    if ((await this.store.fileOwner(fileId)) !== who.account.id) throw noSuchFile(fileId, param);
  }

  async ownBatch(who: KeyLookup, batchId: string): Promise<BatchRow> {
    const row = await this.store.getBatch(batchId);
    if (!row || row.accountId !== who.account.id) throw noSuchBatch(batchId);
    return row;
  }

  /** Records the output and error files of an upstream batch object as the batch's account's. */
  async adoptFiles(row: BatchRow, batch: UpstreamBatch): Promise<void> {
    for (const fileId of [batch.output_file_id, batch.error_file_id]) {
      if (typeof fileId === 'string' && fileId !== '') await this.store.recordFile(fileId, row.accountId, this.deps.now());
    }
  }

  /** After a retrieve or cancel: adopt the result files, and settle now if the batch ended. */
  async observe(row: BatchRow, batch: UpstreamBatch): Promise<void> {
    await this.adoptFiles(row, batch);
    if (TERMINAL_STATUSES.has(batch.status)) await this.settlement.settleIfFinished(row, batch);
  }

  /**
   * POST /v1/batches: plan the input file at batch prices, hold the sum, then create the batch upstream. Refused
   * (429 insufficient_quota) without any upstream call when the hold does not fit. Returns the upstream answer.
   */
  async create(req: IncomingMessage, ctx: RequestContext, who: KeyLookup): Promise<{ status: number; payload: Buffer; headers: Dispatcher.ResponseData['headers'] }> {
    const raw = await readBody(req, this.deps.config.maxBodyBytes);
    const body = parseJsonObject(raw);
    if (!body) throw new InvalidJsonError();
    const inputFileId = body.input_file_id;
    if (typeof inputFileId !== 'string' || inputFileId === '') {
      throw new InvalidRequestError("Missing required parameter: 'input_file_id'.", 'input_file_id', 'missing_required_parameter');
    }
    if (typeof body.endpoint !== 'string') throw new InvalidRequestError("Missing required parameter: 'endpoint'.", 'endpoint', 'missing_required_parameter');
    await this.ownFile(who, inputFileId, 'input_file_id');
    const input = await this.readFile(inputFileId);
    const plan = planBatch(body.endpoint, input, this.deps.prices, this.deps.now(), this.deps.config.defaultMaxOutputTokens);

    const meta = { projectId: who.key.projectId, keyId: who.key.id, model: plan.model, endpoint: BATCH_USAGE_ENDPOINT, stream: false };
    const held = await this.deps.wallet.hold({ requestId: ctx.requestId, accountId: who.account.id, amount: plan.hold, meta });
    if (!held.ok) {
      metrics.quotaRefusals.inc();
      this.deps.wallet.recordUnheld(this.usage(ctx, who, plan, 'insufficient_quota', 429));
      throw new InsufficientQuotaError(held.budget
        ? `The budget ${held.budget.budgetId} is reached for this period: ${formatCredits(held.budget.spent)} of ${formatCredits(held.budget.limit)} credits spent, and this batch can cost up to ${formatCredits(plan.hold)}.`
        : `This batch can cost up to ${formatCredits(plan.hold)} credits at batch prices and ${formatCredits(held.available)} are available.`);
    }
    let kept = false;
    try {
      const res = await this.deps.upstream.send({ method: 'POST', path: '/batches', body: raw });
      const payload = await readBounded(res.body, this.deps.config.maxBodyBytes);
      const created = parseJsonObject(payload);
      if (res.statusCode >= 200 && res.statusCode < 300 && created && typeof created.id === 'string') {
        await this.store.insertBatch({
          batchId: created.id, accountId: who.account.id, projectId: who.key.projectId, keyId: who.key.id, model: plan.model,
          endpoint: body.endpoint, inputFileId, estimate: plan.hold, holdRequestId: ctx.requestId, holdGeneration: 0, state: 'pending',
          cost: null, createdAt: this.deps.now(), settledAt: null,
        });
        kept = true;
      } else {
        metrics.upstreamErrors.inc();
      }
      return { status: res.statusCode, payload, headers: res.headers };
    } catch (err) {
      throw err instanceof ApiError ? err : toUpstreamError(err);
    } finally {
      // Not created upstream (or not recorded): the batch is free and its hold released.
      if (!kept) {
        await this.deps.wallet.settle({ requestId: ctx.requestId, accountId: who.account.id, cost: 0n, usage: this.usage(ctx, who, plan, 'upstream_error', 502) });
      }
    }
  }

  /** Re-holds every unsettled batch whose hold a restart released (awaited at start, before serving). */
  async resume(): Promise<void> {
    for (const row of await this.store.unsettled(1_000_000)) await this.settlement.ensureHeld(row);
  }

  /** One poller pass: each unsettled batch is kept held, retrieved upstream, and settled if it ended. */
  async poll(limit: number): Promise<void> {
    for (const row of await this.store.unsettled(limit)) {
      try {
        const live = await this.settlement.ensureHeld(row);
        if (!live) continue;
        const res = await this.deps.upstream.send({ method: 'GET', path: `/batches/${encodeURIComponent(row.batchId)}` });
        const batch = asUpstreamBatch(parseJsonObject(await readBounded(res.body, this.deps.config.maxBodyBytes)));
        if (res.statusCode !== 200 || !batch) continue;
        await this.observe(live, batch);
      } catch (err) {
        metrics.batchPollFailures.inc();
        this.deps.logger.error('batch poll failed for one batch; retried on the next poll', { batchId: row.batchId, error: (err as Error).message });
      }
    }
  }

  private async readFile(fileId: string): Promise<Buffer> {
    const res = await this.deps.upstream.send({ method: 'GET', path: `/files/${encodeURIComponent(fileId)}/content` });
    if (res.statusCode < 200 || res.statusCode >= 300) {
      await res.body.dump();
      throw noSuchFile(fileId, 'input_file_id');
    }
    return readBounded(res.body, this.deps.config.maxFileBytes);
  }

  private usage(ctx: RequestContext, who: KeyLookup, plan: BatchPlan, status: UsageRecord['status'], httpStatus: number): UsageRecord {
    const now = this.deps.now();
    return {
      requestId: ctx.requestId, accountId: who.account.id, projectId: who.key.projectId, keyId: who.key.id, model: plan.model,
      endpoint: BATCH_USAGE_ENDPOINT, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, cost: 0n,
      uncollected: 0n, hold: 0n, priceEffectiveFrom: plan.price.effectiveFrom, cacheHit: false, status, httpStatus, stream: false,
      aborted: false, latencyMs: Math.max(0, now - ctx.startedAt), createdAt: now,
    };
  }
}
