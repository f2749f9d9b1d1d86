// tollgate export and tollgate forecast as child processes against a running gateway's store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from '../../src/domain/exports/csv.js';
import { formatCredits } from '../../src/domain/money/pico.js';
import { runCli } from '../support/child-process.js';
import { startHarness, type Harness } from '../support/harness.js';

function cli(h: Harness, args: string[]) {
  return runCli(args, { TOLLGATE_DB: h.dbPath, OPENAI_BASE_URL: h.upstream.url, ...(h.databaseUrl === undefined ? {} : { DATABASE_URL: h.databaseUrl }) });
}

test('CLI: export usage and ledger as CSV (stdout and --out), forecast as JSON', async () => {
  const h = await startHarness();
  try {
    // Little credit, so that at these few requests' rate it still runs out within the forecast's 100-year horizon.
    const acct = await h.account('0.1');
    const client = h.client(acct.key);
    for (let i = 0; i < 3; i++) await client.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 5, messages: [{ role: 'user', content: `hi ${i}` }] });
    await h.gateway.deps.wallet.flush();

    const usage = await cli(h, ['export', 'usage', '--account', acct.accountId]);
    assert.equal(usage.code, 0, usage.stderr);
    const rows = parseCsv(usage.stdout);
    const stored = await h.store.listUsage({ accountId: acct.accountId });
    assert.equal(rows.length, 1 + stored.length);
    assert.deepEqual(rows.slice(1).map((r) => [r[1], r[13]]), stored.map((u) => [u.requestId, formatCredits(u.cost)]));

    const file = join(h.dir, 'ledger.csv');
    const ledger = await cli(h, ['export', 'ledger', '--account', acct.accountId, '--since', '2000-01-01T00:00:00Z', '--out', file]);
    assert.equal(ledger.code, 0, ledger.stderr);
    assert.equal(ledger.stdout, '');
    const entries = parseCsv(readFileSync(file, 'utf8')).slice(1);
    assert.deepEqual(entries.map((r) => Number(r[0])), (await h.store.listLedger(acct.accountId)).map((e) => e.seq));

    const none = await cli(h, ['export', 'usage', '--account', acct.accountId, '--until', '2000-01-01T00:00:00Z']);
    assert.equal(parseCsv(none.stdout).length, 1, 'only the header before any usage');
    assert.equal((await cli(h, ['export', 'grants', '--account', acct.accountId])).code, 2);
    assert.equal((await cli(h, ['export', 'usage', '--account', 'acct_nope'])).code, 2);

    const forecast = await cli(h, ['forecast', '--account', acct.accountId, '--json']);
    assert.equal(forecast.code, 0, forecast.stderr);
    const f = JSON.parse(forecast.stdout) as { object: string; account_id: string; burn_rate_per_day: string; runs_out_at: string | null };
    assert.equal(f.object, 'tollgate.forecast');
    assert.equal(f.account_id, acct.accountId);
    assert.notEqual(f.burn_rate_per_day, '0');
    assert.ok(f.runs_out_at !== null && Date.parse(f.runs_out_at) > Date.now(), forecast.stdout);
    const text = await cli(h, ['forecast', '--account', acct.accountId]);
    assert.match(text.stdout, /^burn rate: [\d.]+ credits\/day \(trailing 7 days\)\navailable: [\d.]+ credits\nruns out: /);
  } finally {
    await h.close();
  }
});
