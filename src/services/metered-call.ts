// The metered request path: authenticate -> shape (validate, model, output cap) -> cache lookup (a hit is answered
// here) -> plan (count the prompt) -> rate limit -> hold -> forward -> price the usage -> settle -> respond.
// Every hold is settled exactly once, whatever happens after it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Endpoint } from '../domain/metering/endpoint.js';
import { usageFromResponse } from '../domain/metering/usage-from-json.js';
import { costOf, type TokenUsage } from '../domain/pricing/cost.js';
import { formatCredits } from '../domain/money/pico.js';
import { ApiError, InsufficientQuotaError, InvalidJsonError, InvalidRequestError } from '../http/errors.js';
import { parseJsonObject, readBody } from '../http/read-body.js';
import { sendBytes } from '../http/respond.js';
import { metrics } from '../observability/metrics.js';
import type { KeyLookup } from '../store/store.js';
import { passThroughHeaders, toUpstreamError } from '../upstream/upstream-client.js';
import type { GatewayDeps } from './gateway-deps.js';
import { forwardStream } from './metered-stream.js';
import { afterSpend } from './after-spend.js';
import { completePlan, estimatedTokens, promptLengthAllowed, shapeRequest, type RequestPlan } from './request-plan.js';
import { usageRecord, type RequestContext } from './usage-record.js';
import { admitRateLimit, correctRateLimit, type RateTicket } from './rate-limit-gate.js';
import { substitutionHeader } from './policies/substitution-header.js';
import { lookupCache, serveCachedAnswer, type Remember } from './cache/cache-step.js';

const UPSTREAM_PATH: Record<Endpoint, string> = {
  'chat.completions': '/chat/completions',
  responses: '/responses',
  completions: '/completions',
  embeddings: '/embeddings',
};

export async function handleMetered(
  endpoint: Endpoint, req: IncomingMessage, res: ServerResponse, ctx: RequestContext, deps: GatewayDeps,
  /** The key to act as, already authenticated by the caller (the dashboard playground); else the bearer key. */
  actingAs?: KeyLookup,
): Promise<void> {
  await deps.watcher.check();
  const who = actingAs ?? await deps.keys.projectKey(req.headers);
  const raw = await readBody(req, deps.config.maxBodyBytes);
  const body = parseJsonObject(raw);
  if (!body) throw new InvalidJsonError();
  if (endpoint === 'responses' && body.background === true) {
    throw new InvalidRequestError('Background responses are not supported by this gateway: their usage cannot be metered.', 'background');
  }
  const policy = await deps.policies.effective(who);
  const shape = shapeRequest(endpoint, body, deps.prices, deps.now(), deps.config.defaultMaxOutputTokens, policy);
  // The cache is looked up before the prompt is tokenized: a hit needs neither the count nor the hold for it.
  const cached = await lookupCache(deps, endpoint, req, body, who, res, shape);
  let ticket: RateTicket | undefined;
  // A stored answer over today's context or prompt cap (the policy changed since) is not served: the request takes
  // the normal path, which refuses it with its own count.
  if (cached?.hit && promptLengthAllowed(shape, policy, cached.hit.usage.inputTokens)) {
    // A hit reaches no upstream: it counts against the rate limits as a request with no tokens.
    ticket = await admitRateLimit(deps, who, shape, 0, res, ctx);
    if (await serveCachedAnswer(deps, cached.hit, ctx, who, shape, ticket, res)) return;
  }
  const plan = completePlan(shape, body, raw, policy);
  ticket ??= await admitRateLimit(deps, who, plan, estimatedTokens(plan), res, ctx);

  const held = await deps.wallet.hold({
    requestId: ctx.requestId, accountId: who.account.id, amount: plan.hold,
    meta: { projectId: who.key.projectId, keyId: who.key.id, model: plan.model, endpoint, stream: plan.stream },
  });
  if (!held.ok) {
    metrics.quotaRefusals.inc();
    correctRateLimit(deps, ticket, 0);
    deps.wallet.recordUnheld(usageRecord(ctx, who, plan, { status: 'insufficient_quota', httpStatus: 429, now: deps.now() }));
    throw new InsufficientQuotaError(held.budget
      ? `The budget ${held.budget.budgetId} is reached for this period: ${formatCredits(held.budget.spent)} of ` +
        `${formatCredits(held.budget.limit)} credits spent, and this request can cost up to ${formatCredits(plan.hold)}.`
      : `This request can cost up to ${formatCredits(plan.hold)} credits and ${formatCredits(held.available)} are available.`);
  }
  const settle = settlerFor(ctx, who, plan, deps, ticket);
  try {
    await forward(plan, req, res, ctx, deps, settle, cached?.remember);
  } finally {
    // Reached only on a path that did not settle (an unexpected error): the call is free, the hold released.
    if (!settle.done) await settle({ status: 'upstream_error', httpStatus: 500, now: deps.now() });
  }
}

export interface Settler {
  (outcome: { status: 'ok' | 'cut_off' | 'upstream_error'; httpStatus: number; tokens?: TokenUsage; aborted?: boolean; now: number }): Promise<bigint>;
  done: boolean;
}

function settlerFor(ctx: RequestContext, who: KeyLookup, plan: RequestPlan, deps: GatewayDeps, ticket: RateTicket): Settler {
  const settle = (async (outcome) => {
    if (settle.done) return 0n;
    settle.done = true;
    const cost = outcome.tokens ? costOf(outcome.tokens, plan.price) : 0n;
    await deps.wallet.settle({
      requestId: ctx.requestId, accountId: who.account.id, cost, usage: usageRecord(ctx, who, plan, outcome),
    });
    correctRateLimit(deps, ticket, outcome.tokens ? outcome.tokens.inputTokens + outcome.tokens.outputTokens : 0);
    if (cost > 0n) afterSpend(deps, who.account.id);
    return cost;
  }) as Settler;
  settle.done = false;
  return settle;
}

async function forward(
  plan: RequestPlan, req: IncomingMessage, res: ServerResponse, ctx: RequestContext, deps: GatewayDeps, settle: Settler,
  remember?: Remember,
): Promise<void> {
  const abort = new AbortController();
  // Only a stream is aborted when the client leaves (even before the upstream answered); a plain call finishes
  // and is charged (DESIGN.md).
  const leaveBeforeAnswer = () => {
    if (!res.writableEnded) abort.abort();
  };
  if (plan.stream) res.once('close', leaveBeforeAnswer);
  let upstream;
  try {
    upstream = await deps.upstream.send({
      method: 'POST', path: UPSTREAM_PATH[plan.endpoint], body: plan.upstreamBody,
      ...(plan.stream ? { signal: abort.signal } : {}),
    });
  } catch (err) {
    if (abort.signal.aborted) {
      // The client left a stream before it began: the prompt was sent upstream; nothing was delivered.
      await settle({ status: 'cut_off', httpStatus: 499, aborted: true, tokens: promptOnly(plan), now: deps.now() });
      return;
    }
    metrics.upstreamErrors.inc();
    const apiError = err instanceof ApiError ? err : toUpstreamError(err);
    await settle({ status: 'upstream_error', httpStatus: apiError.status, now: deps.now() });
    throw apiError;
  }
  res.off('close', leaveBeforeAnswer);
  const headers = { ...passThroughHeaders(upstream.headers), 'x-request-id': ctx.requestId, ...substitutionHeader(plan) };

  if (upstream.statusCode < 200 || upstream.statusCode >= 300) {
    metrics.upstreamErrors.inc();
    const errorBody = await readAll(upstream.body).catch(() => Buffer.alloc(0));
    await settle({ status: 'upstream_error', httpStatus: upstream.statusCode, now: deps.now() });
    sendBytes(res, upstream.statusCode, errorBody, headers);
    return;
  }

  const contentType = String(upstream.headers['content-type'] ?? '');
  if (plan.stream && contentType.includes('text/event-stream')) {
    await forwardStream(plan, upstream, res, headers, abort, deps, settle, remember);
    return;
  }

  let payload: Buffer;
  try {
    payload = await readAll(upstream.body);
  } catch (err) {
    metrics.upstreamErrors.inc();
    const apiError = toUpstreamError(err);
    await settle({ status: 'upstream_error', httpStatus: apiError.status, now: deps.now() });
    throw apiError;
  }
  const tokens = usageFromResponse(plan.endpoint, parseJsonObject(payload)) ?? promptOnly(plan);
  const cost = await settle({ status: 'ok', httpStatus: upstream.statusCode, tokens, now: deps.now() });
  sendBytes(res, upstream.statusCode, payload, { ...headers, 'x-tollgate-cost': formatCredits(cost) });
  remember?.({ status: upstream.statusCode, contentType: contentType || 'application/json', stream: false, body: payload, usage: tokens });
}

/** When a 2xx answer reports no usage, the prompt as counted for the hold is what is known to have been used. */
export function promptOnly(plan: RequestPlan): TokenUsage {
  return { inputTokens: plan.promptTokens, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0 };
}

export async function readAll(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}
