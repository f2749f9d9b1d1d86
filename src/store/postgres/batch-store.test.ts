import { test } from 'node:test';
import { createTestDatabase, postgresAvailable } from '../../../test/support/test-database.js';
import { runBatchStoreContract } from '../../services/batches/batch-store.contract.js';
import { PgStore } from './pg-store.js';
import { PgBatchStore } from './batch-store.js';

test('PostgreSQL batch store, two replicas on one database', async (t) => {
  if (!(await postgresAvailable())) {
    t.skip('PostgreSQL unreachable');
    return;
  }
  const database = await createTestDatabase();
  const a = await PgStore.open(database.url);
  const b = await PgStore.open(database.url);
  try {
    await runBatchStoreContract([new PgBatchStore(a.pool), new PgBatchStore(b.pool)]);
  } finally {
    await a.close();
    await b.close();
    await database.drop();
  }
});
