// Micro-measurement of the in-process limiter (not a test): node --import tsx src/services/rate-limit/in-process-limiter.bench.ts
import { InProcessRateLimiter } from './in-process-limiter.js';
import type { RateLimitScope } from './rate-limiter.js';

const limiter = new InProcessRateLimiter();
const limits = { account: { rpm: 10_000, tpm: 30_000_000, rpd: 1_000_000 }, project: { rpm: 5_000, tpm: 10_000_000, rpd: 500_000 } };
const families = ['gpt-4o', 'gpt-4o-mini', 'o3'];
const scopes: RateLimitScope[] = [];
for (let a = 0; a < 1_000; a++) {
  for (const model of families) scopes.push({ accountId: `acct_${a}`, projectId: `proj_${a}`, model });
}
const N = 1_000_000;
let now = Date.now();
let allowed = 0;
for (let i = 0; i < 200_000; i++) limiter.check(scopes[i % scopes.length]!, limits, 100, now); // warm-up
const t0 = process.hrtime.bigint();
for (let i = 0; i < N; i++) {
  if ((i & 1023) === 0) now += 1;
  if (limiter.check(scopes[i % scopes.length]!, limits, 100, now).allowed) allowed++;
}
const t1 = process.hrtime.bigint();
for (let i = 0; i < N; i++) limiter.correct(scopes[i % scopes.length]!, 100, 80, now);
const t2 = process.hrtime.bigint();
console.log(`check:   ${(Number(t1 - t0) / N / 1000).toFixed(3)} µs per call (${allowed} of ${N} allowed)`);
console.log(`correct: ${(Number(t2 - t1) / N / 1000).toFixed(3)} µs per call`);
