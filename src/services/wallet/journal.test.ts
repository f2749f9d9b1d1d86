import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../observability/logger.js';
import type { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { PostingBatch, SettlementPosting } from '../../store/store.js';
import { Journal } from './journal.js';

/** A store stand-in that records committed settlements and refuses those named in `poison` while it is set. */
function recordingStore(poison: Set<string>) {
  const committed: string[] = [];
  let batches = 0;
  const store = {
    commitBatchNow(batch: PostingBatch) {
      if (batch.settlements.some((s) => poison.has(s.requestId))) throw new Error('disk says no');
      batches++;
      committed.push(...batch.settlements.map((s) => s.requestId));
    },
  } as unknown as SqliteStore;
  return { store, committed, batches: () => batches };
}

const settlement = (requestId: string) => ({ requestId }) as unknown as SettlementPosting;

test('postings of one turn go in one batch; settle resolves after the commit', async () => {
  const { store, committed, batches } = recordingStore(new Set());
  const journal = new Journal(store, silentLogger);
  await Promise.all(['a', 'b', 'c'].map((id) => journal.settle(settlement(id))));
  assert.deepEqual(committed, ['a', 'b', 'c']);
  assert.equal(batches(), 1);
});

test('a posting that cannot be written does not hold up the others, and is retried until it is', async () => {
  const poison = new Set(['bad']);
  const { store, committed } = recordingStore(poison);
  const journal = new Journal(store, silentLogger);
  let badDone = false;
  const bad = journal.settle(settlement('bad')).then(() => { badDone = true; });
  await Promise.all([journal.settle(settlement('ok1')), journal.settle(settlement('ok2'))]);
  assert.deepEqual(committed, ['ok1', 'ok2']);
  assert.equal(badDone, false);
  // Later postings are not blocked either.
  await journal.settle(settlement('ok3'));
  assert.deepEqual(committed, ['ok1', 'ok2', 'ok3']);
  let flushed = false;
  const flush = journal.flush().then(() => { flushed = true; });
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(flushed, false, 'flush waits for the stuck posting');
  poison.clear();
  await bad;
  await flush;
  assert.deepEqual(committed, ['ok1', 'ok2', 'ok3', 'bad']);
  journal.stop();
});
