import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measureJournal } from './journal-cost.js';

test('the journal cost is measured on the real store for each id shape and batch size', async () => {
  const rows = await measureJournal({ prefill: 100, requests: 40, perCommit: [1, 10], ids: ['random', 'time-ordered'] });
  assert.deepEqual(rows.map((r) => `${r.ids}/${r.perCommit}`), ['random/1', 'random/10', 'time-ordered/1', 'time-ordered/10']);
  for (const r of rows) {
    assert.ok(r.wallUs > 0 && Number.isFinite(r.wallUs), `wall ${r.wallUs}`);
    assert.ok(r.cpuUs > 0 && Number.isFinite(r.cpuUs), `cpu ${r.cpuUs}`);
    assert.ok(Number.isFinite(r.diskKB) && r.diskKB >= 0, `disk ${r.diskKB}`);
  }
});
