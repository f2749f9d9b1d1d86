import { test } from 'node:test';
import { createTestDatabase, postgresAvailable } from '../../../test/support/test-database.js';
import { silentLogger } from '../../observability/logger.js';
import { runPaymentStoreContract } from '../../services/payments/payment-store.contract.js';
import { PgWallet } from '../../services/wallet/pg-wallet.js';
import { PgPaymentStore } from './payments-store.js';
import { PgStore } from './pg-store.js';

test('PostgreSQL payment store', async (t) => {
  if (!(await postgresAvailable())) {
    t.skip('PostgreSQL unreachable');
    return;
  }
  const database = await createTestDatabase();
  const store = await PgStore.open(database.url);
  const wallet = new PgWallet(store, Date.now, silentLogger, { replicaId: 'payments-test', replicaTimeoutMs: 30_000 });
  try {
    await wallet.start();
    await runPaymentStoreContract(t, { store, wallet, payments: new PgPaymentStore(store.pool) });
  } finally {
    await wallet.close();
    await store.close();
    await database.drop();
  }
});
