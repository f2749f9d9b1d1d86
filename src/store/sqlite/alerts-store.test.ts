import { test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from './sqlite-store.js';
import { SqliteAlertStore } from './alerts-store.js';
import { runAlertStoreContract } from '../../services/alerts/alert-store.contract.js';

test('SQLite alert store', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-alerts-'));
  const main = new SqliteStore(join(dir, 'tollgate.db'));
  try {
    await runAlertStoreContract(t, {
      store: new SqliteAlertStore(main.db),
      newAccount: async () => (await main.createAccount({ name: 'alerts', now: 0 })).account.id,
    });
  } finally {
    await main.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
