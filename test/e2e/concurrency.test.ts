// Hundreds of requests race for a balance that covers only a few of them: nobody overspends, every refusal is a
// clean 429 insufficient_quota, and every unit of credit that left the balance is a recorded charge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCredits } from '../../src/domain/money/pico.js';
import { countChatPrompt } from '../../src/simulator/tokens.js';
import { REPLY_TOKENS } from '../../src/simulator/index.js';
import { startHarness, type FundedAccount, type Harness } from '../support/harness.js';
import { assertLedgerBalances, assertNoOpenHolds } from '../support/ledger-check.js';
import { captureCounts, ledgerSum } from '../support/ledger-queries.js';
import { postJson, raceAgent } from '../support/raw-http.js';

const MODEL = 'gpt-4o-mini';
// gpt-4o-mini in the built-in catalog: $0.15 / 1M input, $0.60 / 1M output.
const IN = 150_000n;
const OUT = 600_000n;
const MAX_TOKENS = 100;
const RACERS = 500;
const messages = [{ role: 'user' as const, content: 'Count to three, please.' }];

/** Hold and cost of one request: the simulator answers REPLY_TOKENS (< MAX_TOKENS) tokens, so cost < hold. */
function sizes() {
  const prompt = BigInt(countChatPrompt(MODEL, messages.map((m) => ({ role: m.role, text: m.content }))));
  const hold = prompt * IN + BigInt(MAX_TOKENS) * OUT;
  const cost = prompt * IN + BigInt(REPLY_TOKENS) * OUT;
  return { prompt, hold, cost };
}

/**
 * Samples the wallet while the race runs. Each sample is one balance view: its holds never exceed the remaining
 * credit of its grants (so the available balance never needs clamping at zero), and its grants still add up to
 * what was granted.
 */
function startSampler(h: Harness, acct: FundedAccount, granted: bigint) {
  let stop = false;
  let samples = 0;
  const failures: string[] = [];
  const done = (async () => {
    while (!stop) {
      const view = await h.balance(acct.accountId);
      let remaining = 0n;
      let amount = 0n;
      for (const g of view.grants) {
        remaining += g.remaining;
        amount += g.amount;
      }
      const raw = remaining - view.held;
      if (raw < 0n) failures.push(`held ${view.held} exceeds remaining ${remaining}`);
      if (view.available !== raw) failures.push(`available ${view.available} != remaining − held ${raw}`);
      if (amount !== granted) failures.push(`grants add up to ${amount}, not ${granted}`);
      samples++;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  })();
  return {
    async finish() {
      stop = true;
      await done;
      return { samples, failures };
    },
  };
}

/** After the race: the books close to the unit and every usage record says what happened. */
async function assertBooksClose(h: Harness, acct: FundedAccount, granted: bigint, served: number, refused: number, cost: bigint, hold: bigint, stream: boolean) {
  const view = await h.balance(acct.accountId);
  const rows = await h.store.listUsage({ accountId: acct.accountId });
  const ok = rows.filter((r) => r.status === 'ok');
  const quota = rows.filter((r) => r.status === 'insufficient_quota');
  assert.equal(ok.length, served, 'one ok usage record per served request');
  assert.equal(quota.length, refused, 'one insufficient_quota usage record per refusal');
  assert.equal(rows.length, RACERS, 'nothing else was recorded');
  for (const r of ok) {
    assert.equal(r.cost, cost, `cost of ${r.requestId}`);
    assert.equal(r.uncollected, 0n);
    assert.equal(r.hold, hold, `hold of ${r.requestId}`);
    assert.equal(r.stream, stream);
  }
  for (const r of quota) assert.equal(r.cost, 0n);
  const charged = rows.reduce((sum, r) => sum + r.cost, 0n);
  assert.equal(charged, granted - view.available, 'Σ charges = Σ grants − remaining balance');
  assert.equal(await ledgerSum(h.store, acct.accountId, 'capture'), charged, 'Σ captures = Σ charges');
  assert.equal(view.held, 0n);
  assert.ok(view.available >= 0n);
  const captures = await captureCounts(h.store, acct.accountId);
  for (const r of ok) assert.equal(captures.get(r.requestId), 1, `exactly one capture for ${r.requestId}`);
  for (const r of quota) assert.equal(captures.get(r.requestId), undefined, `no capture for refused ${r.requestId}`);
  await assertLedgerBalances(h.store);
  await assertNoOpenHolds(h.store);
}

function boundsHold(served: number, refused: number, granted: bigint, hold: bigint, cost: bigint): void {
  assert.ok(refused > 0, 'the balance was meant to run out');
  // Never more served than the grant pays for, even at the (lower) actual cost of each.
  assert.ok(BigInt(served) <= granted / cost, `served ${served} > ${granted / cost} that the balance covers`);
  // A refusal means the available balance was below one hold, which takes at least granted / hold requests.
  assert.ok(BigInt(served) >= granted / hold, `served ${served} < ${granted / hold}: refused while credit was free`);
}

test(`${RACERS} racing chat completions against a balance for five holds: no overspend, exact books`, async (t) => {
  const h = await startHarness();
  const agent = raceAgent();
  try {
    const { prompt, hold, cost } = sizes();
    const granted = hold * 5n + hold / 2n;
    const acct = await h.account(formatCredits(granted));
    const sampler = startSampler(h, acct, granted);
    const body = { model: MODEL, messages, max_tokens: MAX_TOKENS };
    const results = await Promise.all(
      Array.from({ length: RACERS }, () => postJson(h.baseURL, '/chat/completions', acct.key, body, { dispatcher: agent })),
    );
    const { samples, failures } = await sampler.finish();
    assert.deepEqual(failures, []);
    assert.ok(samples > 0);

    let served = 0;
    let refused = 0;
    for (const r of results) {
      if (r.status === 200) {
        served++;
        const usage = (r.json as { usage: { prompt_tokens: number; completion_tokens: number } }).usage;
        assert.equal(BigInt(usage.prompt_tokens), prompt);
        assert.equal(usage.completion_tokens, REPLY_TOKENS);
        assert.equal(r.headers['x-tollgate-cost'], formatCredits(cost));
        continue;
      }
      assert.equal(r.status, 429, r.text);
      refused++;
      assert.equal(r.headers['x-should-retry'], 'false');
      const err = (r.json as { error: { type: string; code: string; param: null; message: string } }).error;
      assert.equal(err.type, 'insufficient_quota');
      assert.equal(err.code, 'insufficient_quota');
      assert.equal(err.param, null);
      assert.match(err.message, /^You exceeded your current quota, please check your plan and billing details\./);
      assert.ok(err.message.includes(`up to ${formatCredits(hold)} credits`), err.message);
    }
    assert.equal(served + refused, RACERS);
    t.diagnostic(`served ${served}, refused ${refused}, balance samples ${samples}`);
    boundsHold(served, refused, granted, hold, cost);
    assert.equal(h.upstream.requests.length, served, 'only the served requests reached upstream');
    await assertBooksClose(h, acct, granted, served, refused, cost, hold, false);
  } finally {
    await agent.close();
    await h.close();
  }
});

test(`${RACERS} racing streams (openai SDK) against a balance for five holds: no overspend, exact books`, async (t) => {
  const h = await startHarness();
  try {
    const { hold, cost } = sizes();
    const granted = hold * 5n + hold / 3n;
    const acct = await h.account(formatCredits(granted));
    const client = h.client(acct.key);
    const sampler = startSampler(h, acct, granted);
    const outcomes = await Promise.all(Array.from({ length: RACERS }, async () => {
      try {
        const stream = await client.chat.completions.create({ model: MODEL, messages, max_tokens: MAX_TOKENS, stream: true });
        let text = '';
        let sawUsage = false;
        for await (const chunk of stream) {
          text += chunk.choices[0]?.delta.content ?? '';
          if (chunk.usage !== undefined) sawUsage = true;
        }
        return { kind: 'served' as const, text, sawUsage };
      } catch (err) {
        return { kind: 'error' as const, err };
      }
    }));
    const { samples, failures } = await sampler.finish();
    assert.deepEqual(failures, []);
    assert.ok(samples > 0);

    let served = 0;
    let refused = 0;
    for (const o of outcomes) {
      if (o.kind === 'served') {
        served++;
        assert.ok(o.text.startsWith('[simulated]'), o.text);
        assert.equal(o.sawUsage, false, 'the usage chunk the gateway asked for is hidden from the client');
        continue;
      }
      const e = o.err as { status?: number; code?: string; type?: string };
      assert.equal(e.status, 429, String(o.err));
      assert.equal(e.code, 'insufficient_quota');
      assert.equal(e.type, 'insufficient_quota');
      refused++;
    }
    assert.equal(served + refused, RACERS);
    t.diagnostic(`served ${served}, refused ${refused}, balance samples ${samples}`);
    boundsHold(served, refused, granted, hold, cost);
    await assertBooksClose(h, acct, granted, served, refused, cost, hold, true);
  } finally {
    await h.close();
  }
});
