import { test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBatchStoreContract } from '../../services/batches/batch-store.contract.js';
import { SqliteStore } from './sqlite-store.js';
import { SqliteBatchStore } from './batch-store.js';

test('SQLite batch store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-batches-'));
  const main = new SqliteStore(join(dir, 'tollgate.db'));
  const second = new SqliteStore(join(dir, 'tollgate.db'));
  try {
    await runBatchStoreContract([new SqliteBatchStore(main.db), new SqliteBatchStore(second.db)]);
  } finally {
    await main.close();
    await second.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
