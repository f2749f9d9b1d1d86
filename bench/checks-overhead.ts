// Measures what the rate-limit and budget checks add per request on one replica (issue 4's ~50 µs budget):
// the in-process limiter's check + correct, and a MemoryWallet hold + settle with and without three budgets
// governing the request. Side by side in one run; prints µs per request for each and the difference.
// Run: node --import tsx bench/checks-overhead.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseCredits } from '../src/domain/money/pico.js';
import { DEFAULT_LADDER } from '../src/domain/rate-limits/default-ladder.js';
import { limitsFor } from '../src/domain/rate-limits/tiers.js';
import { silentLogger } from '../src/observability/logger.js';
import { InProcessRateLimiter } from '../src/services/rate-limit/in-process-limiter.js';
import { MemoryWallet } from '../src/services/wallet/memory-wallet.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { UsageRecord } from '../src/store/records.js';

const N = 20_000;

async function walletCost(withBudgets: boolean): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-'));
  const store = new SqliteStore(join(dir, 'b.db'));
  const { account, project } = await store.createAccount({ name: 'bench', now: Date.now() });
  await store.insertGrant({ accountId: account.id, source: 'adjustment', amount: parseCredits('1000000') }, Date.now());
  const key = await store.createKey({ accountId: account.id, projectId: project.id, kind: 'project', name: 'k', secretHash: 'h', redacted: 'r' }, Date.now());
  if (withBudgets) {
    for (const [scope, scopeId] of [['account', account.id], ['project', project.id], ['key', key.id]] as const) {
      await store.setBudget({ accountId: account.id, scope, scopeId, period: 'month', timeZone: 'UTC', limit: parseCredits('900000'), thresholds: [] }, Date.now());
    }
  }
  const wallet = new MemoryWallet(store, Date.now, silentLogger);
  const meta = { projectId: project.id, keyId: key.id, model: 'gpt-4o-mini', endpoint: 'chat.completions', stream: false };
  const usage = (requestId: string): UsageRecord => ({
    requestId, accountId: account.id, projectId: project.id, keyId: key.id, model: 'gpt-4o-mini', endpoint: 'chat.completions',
    inputTokens: 10, cachedInputTokens: 0, outputTokens: 20, reasoningTokens: 0, cost: 0n, uncollected: 0n, hold: 0n,
    priceEffectiveFrom: 0, cacheHit: false, status: 'ok', httpStatus: 200, stream: false, aborted: false, latencyMs: 1, createdAt: Date.now(),
  });
  const run = async (count: number) => {
    const pending: Array<Promise<unknown>> = [];
    for (let i = 0; i < count; i++) {
      const id = `req_${withBudgets}_${i}_${Math.random()}`;
      await wallet.hold({ requestId: id, accountId: account.id, amount: 30_000_000n, meta });
      pending.push(wallet.settle({ requestId: id, accountId: account.id, cost: 13_500_000n, usage: usage(id) }));
      if (pending.length >= 200) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
  };
  await run(2_000);
  const start = performance.now();
  await run(N);
  const us = ((performance.now() - start) * 1000) / N;
  await wallet.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return us;
}

function limiterCost(): number {
  const limiter = new InProcessRateLimiter();
  const limits = limitsFor('tier-5', 'gpt-4o-mini', DEFAULT_LADDER, null);
  const scopes = Array.from({ length: 1000 }, (_, i) => ({ accountId: `acct_${i}`, projectId: `proj_${i}`, model: limits.group }));
  let now = Date.now();
  const start = performance.now();
  for (let i = 0; i < N * 5; i++) {
    const scope = scopes[i % scopes.length]!;
    const outcome = limiter.check(scope, limits, 30, now) as { allowed: boolean };
    if (outcome.allowed) limiter.correct(scope, 30, 25, now);
    now += 1;
  }
  return ((performance.now() - start) * 1000) / (N * 5);
}

const limiterUs = limiterCost();
const plain = await walletCost(false);
const budgeted = await walletCost(true);
const rows = [
  ['rate limiter check + correct (in-process)', limiterUs],
  ['wallet hold + settle, no budget (incl. group commit)', plain],
  ['wallet hold + settle, 3 budgets (incl. group commit)', budgeted],
  ['budget checks added', budgeted - plain],
  ['rate-limit + budget checks added per request', budgeted - plain + limiterUs],
] as const;
console.log('| measure | µs per request |\n| --- | ---: |');
for (const [name, us] of rows) console.log(`| ${name} | ${us.toFixed(2)} |`);
