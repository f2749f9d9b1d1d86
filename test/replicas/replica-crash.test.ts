// SIGKILL one of two replicas in the middle of a load. Restarted with the same TOLLGATE_REPLICA_ID, it releases the
// holds its previous life left open; never restarted, the other replica releases them once its heartbeat is stale.
// Either way every 200 has exactly one capture, every hold ends captured or released once, and the books close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Behaviour } from '../../src/simulator/index.js';
import type { ServeProcess } from '../support/child-process.js';
import { postgresAvailable } from '../support/test-database.js';
import {
  assertBooksClose, eventually, openFixture, openHoldsOf, raceAgent, requestSizes, sleep, startLoad, stopGracefully, usageRows,
  type Outcome, type ReplicaFixture,
} from './replica-fixture.js';

const IN_FLIGHT = 100;
const BEFORE_CRASH = 800;
const KILL_AFTER = 250;
const AFTER_CRASH = 400;
/** The upstream takes this long per call, so each replica has dozens of holds open at any moment. */
const UPSTREAM_DELAY_MS = 25;
const SURVIVOR = 'replica-a';
const VICTIM = 'replica-b';

/** Runs a load over both replicas and SIGKILLs `victim` once KILL_AFTER requests finished; the load goes on without it. */
async function loadWithCrash(fx: ReplicaFixture, survivor: ServeProcess, victim: ServeProcess, agent: ReturnType<typeof raceAgent>) {
  fx.upstream.script(...Array.from({ length: BEFORE_CRASH + AFTER_CRASH }, (): Behaviour => ({ kind: 'ok', delayMs: UPSTREAM_DELAY_MS })));
  let live = [survivor.url, victim.url];
  const load = startLoad({ total: BEFORE_CRASH, concurrency: IN_FLIGHT, targets: () => live, key: fx.key, dispatcher: agent });
  await eventually('the load under way', async () => (load.finished() >= KILL_AFTER ? true : undefined), 20_000, 2);
  victim.child.kill('SIGKILL');
  const killedAt = Date.now();
  live = [survivor.url];
  assert.equal(await victim.exited, 'SIGKILL');
  const outcomes = await load.done;

  const failed = outcomes.filter((o) => o.status !== 200);
  for (const o of failed) {
    assert.equal(o.status, 0, `only requests cut by the crash fail: ${o.status} ${JSON.stringify(o.json)}`);
    assert.equal(o.target, victim.url, 'the survivor served every request it got');
  }
  assert.ok(failed.length > 0, 'the crash cut requests in flight');
  assert.ok(outcomes.filter((o) => o.status === 200 && o.target === victim.url).length > 0, 'the victim served before it died');
  assert.deepEqual(await openHoldsOf(fx.store, SURVIVOR), [], 'the survivor settled everything it held');
  return { outcomes, killedAt };
}

/** The victim's open holds once PostgreSQL has finished whatever statement the crash left running. */
async function settledOpenHolds(fx: ReplicaFixture, replicaId: string): Promise<string[]> {
  let last = await openHoldsOf(fx.store, replicaId);
  for (let i = 0; i < 8; i++) {
    await sleep(50);
    const now = await openHoldsOf(fx.store, replicaId);
    if (now.join() === last.join()) return now;
    last = now;
  }
  throw new Error('open holds never settled down');
}

async function assertInterrupted(fx: ReplicaFixture, requestIds: readonly string[]): Promise<void> {
  const usage = await usageRows(fx.store);
  const { rows } = await fx.store.pool.query(`SELECT request_id, kind, COUNT(*) AS n FROM ledger_entries
    WHERE request_id = ANY($1::text[]) AND kind IN ('capture', 'release') GROUP BY request_id, kind`, [requestIds]);
  const counts = new Map((rows as Array<{ request_id: string; kind: string; n: bigint }>).map((r) => [`${r.request_id}/${r.kind}`, r.n]));
  for (const id of requestIds) {
    assert.equal(usage.get(id)?.status, 'interrupted', `${id} written up as interrupted`);
    assert.equal(usage.get(id)?.cost_pico, 0n);
    assert.equal(counts.get(`${id}/capture`), undefined, `nothing captured for interrupted ${id}`);
    assert.equal(counts.get(`${id}/release`), 1n, `one release for interrupted ${id}`);
  }
}

test('SIGKILL a replica under load, restart it with the same id: it releases its own leftover holds', { timeout: 90_000 }, async (t) => {
  if (!(await postgresAvailable())) {
    t.skip('PostgreSQL unreachable');
    return;
  }
  const { hold } = requestSizes();
  const fx = await openFixture(hold * BigInt(2 * (BEFORE_CRASH + AFTER_CRASH)));
  const agent = raceAgent(IN_FLIGHT);
  try {
    const [a, b] = await Promise.all([fx.serve(SURVIVOR), fx.serve(VICTIM)]);
    const { outcomes: before } = await loadWithCrash(fx, a, b, agent);
    const leftover = await settledOpenHolds(fx, VICTIM);
    assert.ok(leftover.length > 0, 'the crash left holds open');
    // With the default 30 s replica timeout the survivor does not touch them.
    await sleep(500);
    assert.deepEqual(await openHoldsOf(fx.store, VICTIM), leftover);

    const b2 = await fx.serve(VICTIM);
    const released = b2.logs.find((l) => l.msg === 'released holds left open by an earlier stop');
    assert.equal(released?.holds, leftover.length, JSON.stringify(b2.logs));
    assert.deepEqual(await openHoldsOf(fx.store), [], 'no hold open after the restart');
    await assertInterrupted(fx, leftover);

    const after = await startLoad({ total: AFTER_CRASH, concurrency: IN_FLIGHT, targets: () => [a.url, b2.url], key: fx.key, dispatcher: agent }).done;
    assert.deepEqual(after.filter((o) => o.status !== 200).map((o) => `${o.status} ${o.error ?? JSON.stringify(o.json)}`), []);
    assert.ok(after.some((o) => o.target === b2.url));
    await Promise.all([stopGracefully(a), stopGracefully(b2)]);

    const outcomes: Outcome[] = [...before, ...after];
    const books = await assertBooksClose(fx, outcomes);
    assert.equal(books.interrupted, leftover.length);
  } finally {
    await agent.close();
    await fx.close();
  }
});

test('SIGKILL a replica under load, never restart it: the other releases its holds after the replica timeout', { timeout: 90_000 }, async (t) => {
  if (!(await postgresAvailable())) {
    t.skip('PostgreSQL unreachable');
    return;
  }
  const TIMEOUT_MS = 1_500;
  const { hold } = requestSizes();
  const fx = await openFixture(hold * BigInt(2 * (BEFORE_CRASH + AFTER_CRASH)));
  const agent = raceAgent(IN_FLIGHT);
  try {
    const fast = { TOLLGATE_REPLICA_TIMEOUT_MS: String(TIMEOUT_MS) };
    const [a, b] = await Promise.all([fx.serve(SURVIVOR, fast), fx.serve(VICTIM, fast)]);
    const { outcomes: before, killedAt } = await loadWithCrash(fx, a, b, agent);

    await eventually('the survivor sweeps the dead replica\'s holds', async () => {
      const open = await openHoldsOf(fx.store);
      return open.length === 0 ? true : undefined;
    }, 4 * TIMEOUT_MS + 5_000, 50);
    // The holds the crash left open: the victim's, closed without a capture. None was released before the victim's
    // heartbeat went stale (its last one was at most TIMEOUT_MS / 5 before the kill).
    const { rows } = await fx.store.pool.query(`SELECT h.request_id, h.closed_at FROM holds h
      WHERE h.replica_id = $1 AND NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.request_id = h.request_id AND e.kind = 'capture')
      ORDER BY h.request_id`, [VICTIM]);
    const swept = rows as Array<{ request_id: string; closed_at: bigint }>;
    const leftover = swept.map((r) => r.request_id);
    assert.ok(leftover.length > 0, 'the crash left holds open');
    for (const r of swept) {
      const after = Number(r.closed_at) - killedAt;
      assert.ok(after >= TIMEOUT_MS - TIMEOUT_MS / 5 - 100, `${r.request_id} released ${after} ms after the kill, before the ${TIMEOUT_MS} ms timeout`);
    }
    const sweeps = a.logs.filter((l) => l.msg === 'released holds left open by a stopped replica');
    assert.equal(sweeps.reduce((n, l) => n + Number(l.holds), 0), leftover.length, JSON.stringify(sweeps));
    await assertInterrupted(fx, leftover);

    // The survivor alone carries on.
    const after = await startLoad({ total: AFTER_CRASH, concurrency: IN_FLIGHT, targets: () => [a.url], key: fx.key, dispatcher: agent }).done;
    assert.deepEqual(after.filter((o) => o.status !== 200).map((o) => `${o.status} ${o.error ?? JSON.stringify(o.json)}`), []);
    await stopGracefully(a);

    const books = await assertBooksClose(fx, [...before, ...after]);
    assert.equal(books.interrupted, leftover.length);
  } finally {
    await agent.close();
    await fx.close();
  }
});
