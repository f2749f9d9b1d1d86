// Two `tollgate serve` replicas on one PostgreSQL database race 1,200 requests for one account whose balance covers
// only some of them: nobody overspends, every refusal is a clean 429 insufficient_quota, and the books close to the unit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { postgresAvailable } from '../support/test-database.js';
import {
  assertBooksClose, assertQuotaRefusal, eventually, openFixture, raceAgent, requestSizes, startLoad, startSampler, stopGracefully,
  usageRows,
} from './replica-fixture.js';

const REQUESTS = 1_200;
const IN_FLIGHT = 100;
/** The balance covers this many holds; since a call costs less than its hold, more can be served, never more than it pays for. */
const HOLDS_COVERED = 300;

test('two replicas race one account: served within the balance, the rest 429, exact books', { timeout: 90_000 }, async (t) => {
  if (!(await postgresAvailable())) {
    t.skip('PostgreSQL unreachable');
    return;
  }
  const { hold, cost } = requestSizes();
  const granted = hold * BigInt(HOLDS_COVERED) + hold / 3n;
  const fx = await openFixture(granted);
  const agent = raceAgent(IN_FLIGHT);
  try {
    const [a, b] = await Promise.all([fx.serve('replica-a'), fx.serve('replica-b')]);
    const urls = [a.url, b.url];
    const sampler = startSampler(fx);
    const outcomes = await startLoad({ total: REQUESTS, concurrency: IN_FLIGHT, targets: () => urls, key: fx.key, dispatcher: agent }).done;
    const sampled = await sampler.finish();

    const served = outcomes.filter((o) => o.status === 200);
    const refused = outcomes.filter((o) => o.status === 429);
    const other = outcomes.filter((o) => o.status !== 200 && o.status !== 429);
    assert.deepEqual(other.map((o) => `${o.status} ${o.error ?? JSON.stringify(o.json)}`), [], 'every request is served or refused for quota');
    for (const o of refused) assertQuotaRefusal(o);
    for (const url of urls) {
      assert.ok(served.some((o) => o.target === url), `${url} served`);
      assert.ok(refused.some((o) => o.target === url), `${url} refused`);
    }
    // Upper bound: what was served was paid for. Lower bound: a refusal means the balance was really short — every
    // hold still open at that moment was a request that went on to be served, so at least granted / hold were served.
    assert.ok(BigInt(served.length) * cost <= granted, `${served.length} served × ${cost} > granted ${granted}`);
    assert.ok(served.length >= HOLDS_COVERED, `only ${served.length} served; the balance covers ${HOLDS_COVERED} holds`);
    assert.ok(refused.length > 0, 'the balance ran out');

    assert.deepEqual(sampled.failures.slice(0, 5), [], `${sampled.failures.length} bad samples of ${sampled.samples}`);
    assert.ok(sampled.samples >= 10, `the sampler ran during the race (${sampled.samples} samples)`);
    assert.ok(sampled.minAvailable >= 0n);

    // Each replica records its refusals off the hot path; wait for all of them, then stop both cleanly.
    const usage = await eventually('a usage record for every request', async () => {
      const rows = await usageRows(fx.store);
      return rows.size >= REQUESTS ? rows : undefined;
    });
    assert.equal(usage.size, REQUESTS);
    for (const o of served) assert.equal(usage.get(o.requestId!)?.status, 'ok');
    for (const o of refused) {
      assert.ok(o.requestId);
      const u = usage.get(o.requestId);
      assert.equal(u?.status, 'insufficient_quota', `usage of refused ${o.requestId}`);
      assert.equal(u.cost_pico, 0n);
    }
    await Promise.all([stopGracefully(a), stopGracefully(b)]);

    const books = await assertBooksClose(fx, outcomes);
    assert.equal(books.interrupted, 0);
    const spent = BigInt(served.length) * cost;
    const snap = await fx.store.balance(fx.accountId, Date.now());
    assert.equal(snap.available, granted - spent, 'remaining = granted − served × cost');
  } finally {
    await agent.close();
    await fx.close();
  }
});
