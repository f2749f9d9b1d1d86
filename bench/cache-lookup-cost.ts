// The response cache's cost on a miss, in process: the real `lookupCache` step (the governing setting, the
// cacheability rule, key normalisation, sha256, the `x-tollgate-cache` header and an LRU get) on a chat body, next
// to the same step with caching off for the key's scope (one Map lookup, then nothing). No HTTP, no store.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { IGNORED_FIELDS } from '../src/domain/cache/cache-key.js';
import { canonicalForm } from '../src/domain/cache/canonical.js';
import type { CacheSetting } from '../src/domain/cache/settings.js';
import { silentLogger } from '../src/observability/logger.js';
import { lookupCache } from '../src/services/cache/cache-step.js';
import { LruBackend } from '../src/services/cache/lru-backend.js';
import { ResponseCache } from '../src/services/cache/response-cache.js';
import type { GatewayDeps } from '../src/services/gateway-deps.js';
import type { KeyLookup } from '../src/store/store.js';
import { BENCH_MODEL } from './scenarios.js';

export interface LookupCostRow {
  body: string;
  bodyBytes: number;
  /** µs per request of the cache step with caching off for the scope. */
  offUs: number;
  /** µs per request of the cache step on a miss with caching on (nothing stored under the key). */
  missUs: number;
  /** µs per request of the cache step on a hit (the answer found; sending it is not included). */
  hitUs: number;
  /** Of the miss: µs of the canonical form alone (built and flattened into one string), and of sha256 over it alone. */
  canonicalUs: number;
  hashUs: number;
}

const ACCOUNT = 'acct_bench';
const PROJECT = 'proj_bench';
const served = { model: BENCH_MODEL, maxOutputTokens: 64 };
const request = { headers: {} } as unknown as IncomingMessage;
const response = { setHeader: () => response } as unknown as ServerResponse;

/** The bench's two-message chat body (the `json` scenario). */
export function typicalBody(): Record<string, unknown> {
  return {
    model: BENCH_MODEL, max_tokens: 64,
    messages: [
      { role: 'system', content: 'You are a terse assistant.' },
      { role: 'user', content: 'Say hello to the benchmark in one short sentence.' },
    ],
  };
}

/** A conversation of about `bytes` bytes of JSON: a system prompt and alternating user/assistant turns. */
export function largeBody(bytes = 8_192): Record<string, unknown> {
  const sentence = 'The quick brown fox jumps over the lazy dog while the gateway meters every token it forwards. ';
  const messages: Array<{ role: string; content: string }> = [{ role: 'system', content: 'You are a careful assistant.' }];
  const body = { model: BENCH_MODEL, max_tokens: 64, temperature: 0, messages };
  for (let turn = 0; JSON.stringify(body).length < bytes; turn++) {
    messages.push({ role: turn % 2 === 0 ? 'user' : 'assistant', content: `${turn}: ${sentence.repeat(4)}` });
  }
  return body;
}

function whoFor(keyId: string): KeyLookup {
  return { account: { id: ACCOUNT }, key: { id: keyId, projectId: PROJECT } } as unknown as KeyLookup;
}

async function gatewayCache(): Promise<GatewayDeps> {
  const settings: CacheSetting[] = [
    { accountId: ACCOUNT, scope: 'account', scopeId: ACCOUNT, enabled: true, ttlSeconds: 3600, updatedAt: 0 },
    { accountId: ACCOUNT, scope: 'key', scopeId: 'key_off', enabled: false, ttlSeconds: 0, updatedAt: 0 },
  ];
  const cache = new ResponseCache({
    backend: new LruBackend(64 * 1024 * 1024), hitPercent: 0,
    settings: { listAll: async () => settings, list: async () => settings, put: async () => {} },
  });
  await cache.reload();
  return { cache, logger: silentLogger, now: Date.now } as unknown as GatewayDeps;
}

/** Average µs of `lookupCache` over `iterations` calls (after a warm-up of a tenth as many). */
async function timeStep(deps: GatewayDeps, who: KeyLookup, bodyOf: (i: number) => Record<string, unknown>, iterations: number,
  expect: 'off' | 'miss' | 'hit'): Promise<number> {
  const once = async (i: number) => {
    const step = await lookupCache(deps, 'chat.completions', request, bodyOf(i), who, response, served);
    const got = step === undefined ? 'off' : step.hit ? 'hit' : 'miss';
    if (got !== expect) throw new Error(`cache step: expected ${expect}, got ${got}`);
  };
  const warmup = Math.max(1, Math.floor(iterations / 10));
  for (let i = 0; i < warmup; i++) await once(i);
  const start = performance.now();
  for (let i = 0; i < iterations; i++) await once(i);
  return ((performance.now() - start) * 1000) / iterations;
}

/** Average µs of `work` over `iterations` calls (after a warm-up of a tenth as many). */
function timeSync(work: (i: number) => number, iterations: number): number {
  let sink = 0;
  for (let i = 0; i < Math.max(1, Math.floor(iterations / 10)); i++) sink += work(i);
  const start = performance.now();
  for (let i = 0; i < iterations; i++) sink += work(i);
  const us = ((performance.now() - start) * 1000) / iterations;
  if (sink < 0) throw new Error('unreachable');
  return us;
}

/**
 * Each body measured off, miss and hit, interleaved three times; the lowest of the three rounds is kept for each
 * (on a shared machine other processes can only slow a round down). A miss is a body nothing was stored for: the
 * same body with a different `seed`, which is part of the key, each iteration (a distinct request, as a real miss).
 */
export async function lookupCosts(iterations: number, rounds = 3): Promise<LookupCostRow[]> {
  const deps = await gatewayCache();
  const cache = (deps as unknown as { cache: ResponseCache }).cache;
  const on = whoFor('key_on');
  const off = whoFor('key_off');
  const rows: LookupCostRow[] = [];
  for (const [name, base] of [['typical chat (2 messages)', typicalBody()], ['large chat (~8 KB of messages)', largeBody()]] as const) {
    // 1,000 other answers already stored, so the LRU's Map is not trivially small.
    for (let i = 0; i < 1_000; i++) {
      const step = await lookupCache(deps, 'chat.completions', request, { ...base, seed: -1 - i }, on, response, served);
      step?.remember?.({ status: 200, contentType: 'application/json', stream: false, body: Buffer.alloc(600, 0x61), usage: { inputTokens: 12, cachedInputTokens: 0, outputTokens: 20, reasoningTokens: 0 } });
    }
    const stored = await lookupCache(deps, 'chat.completions', request, base, on, response, served);
    stored?.remember?.({ status: 200, contentType: 'application/json', stream: false, body: Buffer.alloc(600, 0x61), usage: { inputTokens: 12, cachedInputTokens: 0, outputTokens: 20, reasoningTokens: 0 } });
    if (cache.backend.kind !== 'memory') throw new Error('expected the in-process LRU');
    const best = { off: Infinity, miss: Infinity, hit: Infinity, canonical: Infinity, hash: Infinity };
    const text = canonicalForm(base, IGNORED_FIELDS);
    for (let r = 0; r < rounds; r++) {
      best.off = Math.min(best.off, await timeStep(deps, off, (i) => ({ ...base, seed: i }), iterations, 'off'));
      best.miss = Math.min(best.miss, await timeStep(deps, on, (i) => ({ ...base, seed: i }), iterations, 'miss'));
      best.hit = Math.min(best.hit, await timeStep(deps, on, () => base, iterations, 'hit'));
      // Built and flattened (reading a character in its middle makes V8 copy the rope into one string), as hashing does.
      best.canonical = Math.min(best.canonical, timeSync((i) => {
        const form = canonicalForm({ ...base, seed: i }, IGNORED_FIELDS);
        return form.charCodeAt(form.length >> 1);
      }, iterations));
      best.hash = Math.min(best.hash, timeSync(() => hash('sha256', text, 'hex').length, iterations));
    }
    rows.push({ body: name, bodyBytes: JSON.stringify(base).length, offUs: best.off, missUs: best.miss, hitUs: best.hit,
      canonicalUs: best.canonical, hashUs: best.hash,
    });
  }
  return rows;
}
