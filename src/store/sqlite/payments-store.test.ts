import { test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../observability/logger.js';
import { runPaymentStoreContract } from '../../services/payments/payment-store.contract.js';
import { MemoryWallet } from '../../services/wallet/memory-wallet.js';
import { SqlitePaymentStore } from './payments-store.js';
import { SqliteStore } from './sqlite-store.js';

test('SQLite payment store (with the in-memory wallet)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-payments-'));
  const store = new SqliteStore(join(dir, 'tollgate.db'));
  const wallet = new MemoryWallet(store, Date.now, silentLogger);
  try {
    await runPaymentStoreContract(t, { store, wallet, payments: new SqlitePaymentStore(store.db, (fn) => wallet.exclusive(fn)) });
  } finally {
    await wallet.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
