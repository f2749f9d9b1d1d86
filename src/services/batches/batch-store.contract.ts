// The BatchStore contract, run against both adapters (src/store/sqlite/batch-store.test.ts, src/store/postgres/...).
import assert from 'node:assert/strict';
import type { BatchRow, BatchStore } from './batch-store.js';

function row(batchId: string, accountId: string): BatchRow {
  return {
    batchId, accountId, projectId: 'proj_1', keyId: 'key_1', model: 'gpt-4o-mini', endpoint: '/v1/chat/completions',
    inputFileId: 'file-in', estimate: 9_007_199_254_740_993n, holdRequestId: `req_${batchId}`, holdGeneration: 0, state: 'pending',
    cost: null, createdAt: 1_700_000_000_000, settledAt: null,
  };
}

/** `stores` are two handles on the same database (two replicas), or the same store twice. */
export async function runBatchStoreContract(stores: [BatchStore, BatchStore]): Promise<void> {
  const [a, b] = stores;
  await a.recordFile('file-1', 'acct_a', 1);
  await b.recordFile('file-1', 'acct_b', 2); // a file id is owned once, by its uploader
  assert.equal(await b.fileOwner('file-1'), 'acct_a');
  assert.equal(await a.fileOwner('file-x'), undefined);
  await a.recordFile('file-2', 'acct_b', 3);
  assert.deepEqual([...(await a.filesOwnedBy('acct_a', ['file-1', 'file-2', 'file-x']))], ['file-1']);
  await a.forgetFile('file-1');
  assert.equal(await a.fileOwner('file-1'), undefined);

  await a.insertBatch(row('batch_1', 'acct_a'));
  await a.insertBatch(row('batch_2', 'acct_b'));
  assert.deepEqual(await b.getBatch('batch_1'), row('batch_1', 'acct_a'));
  assert.deepEqual([...(await b.batchesOwnedBy('acct_b', ['batch_1', 'batch_2']))], ['batch_2']);
  assert.deepEqual((await a.unsettled(10)).map((r) => r.batchId).sort(), ['batch_1', 'batch_2']);

  // Exactly one of two racing claims wins; a claim under a stale hold id never does.
  assert.equal(await a.claimSettlement('batch_1', 'req_stale'), false);
  const claims = await Promise.all([a.claimSettlement('batch_1', 'req_batch_1'), b.claimSettlement('batch_1', 'req_batch_1')]);
  assert.deepEqual(claims.sort(), [false, true]);
  await b.releaseClaim('batch_1', 'req_batch_1');
  assert.equal((await a.getBatch('batch_1'))?.state, 'pending');

  // Moving to a new hold: only from the current one, once.
  const moves = await Promise.all([a.moveHold('batch_1', 'req_batch_1', 'batch_1~h1', 1), b.moveHold('batch_1', 'req_batch_1', 'batch_1~h1b', 1)]);
  assert.deepEqual(moves.sort(), [false, true]);
  const moved = await a.getBatch('batch_1');
  assert.equal(moved?.holdGeneration, 1);
  assert.equal(await a.claimSettlement('batch_1', 'req_batch_1'), false);
  assert.equal(await a.claimSettlement('batch_1', moved?.holdRequestId ?? ''), true);
  await a.markSettled('batch_1', moved?.holdRequestId ?? '', 123n, 99);
  const settled = await b.getBatch('batch_1');
  assert.deepEqual([settled?.state, settled?.cost, settled?.settledAt], ['settled', 123n, 99]);
  assert.equal(await a.moveHold('batch_1', moved?.holdRequestId ?? '', 'batch_1~h2', 2), false, 'a settled batch is never re-held');
  assert.deepEqual((await a.unsettled(10)).map((r) => r.batchId), ['batch_2']);
  assert.equal(await a.holdFate('req_nobody'), 'unknown');
}
