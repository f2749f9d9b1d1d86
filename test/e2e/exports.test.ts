// Exports end to end, on both stores: usage and ledger CSV streamed in keyset pages, parsing back to exactly the
// stored rows; the period filter; each account sees only its own; the admin routes need the admin token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { parseCsv } from '../../src/domain/exports/csv.js';
import { formatCredits, parseCredits } from '../../src/domain/money/pico.js';
import { issueKey } from '../../src/services/api-keys.js';
import { csvChunks } from '../../src/services/exports/csv-export.js';
import { exportSourceFor, type ExportSource } from '../../src/services/exports/export-source.js';
import { insertUsages, PgStore } from '../../src/store/postgres/pg-store.js';
import type { UsageRecord } from '../../src/store/records.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { startHarness } from '../support/harness.js';

const TOKEN = 'exports-admin-token';
const T0 = Date.UTC(2026, 10, 1);
const MODELS = ['gpt-4o-mini', 'odd,"model"\nname', '=cmd|calc', '-1+2', '@home', 'plain'];

function usage(accountId: string, i: number): UsageRecord {
  return {
    requestId: `req_${String(i).padStart(6, '0')}_${accountId.slice(-4)}`, accountId, projectId: null, keyId: null,
    model: MODELS[i % MODELS.length]!, endpoint: 'chat.completions', inputTokens: i, cachedInputTokens: 0, outputTokens: 2 * i,
    reasoningTokens: 0, cost: BigInt(i) * 1_234_567n + 1n, uncollected: 0n, hold: BigInt(i) * 2_000_000n, priceEffectiveFrom: T0,
    cacheHit: i % 7 === 0, status: 'ok', httpStatus: 200, stream: i % 2 === 0, aborted: false, latencyMs: i % 100,
    // Several rows share a millisecond, so the keyset must break ties by request id.
    createdAt: T0 + Math.floor(i / 3) * 1000,
  };
}

async function seed(store: Store, rows: UsageRecord[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    if (store instanceof SqliteStore) await store.commitBatch({ holds: [], settlements: [], usages: chunk });
    else if (store instanceof PgStore) await insertUsages(store.pool, chunk);
    else throw new Error('unknown store');
  }
}

async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const c of chunks) text += c;
  return text;
}

const iso = (t: number) => new Date(t).toISOString();
const unguard = (s: string) => (/^'[=+\-@]/.test(s) ? s.slice(1) : s);

test('a 5,000-row usage export is read 1,000 rows a page and parses back to exactly the stored rows', async () => {
  const h = await startHarness();
  try {
    const acct = await h.account('1');
    const rows = Array.from({ length: 5_000 }, (_, i) => usage(acct.accountId, i));
    await seed(h.store, rows);
    const real = exportSourceFor(h.store);
    const pages: number[] = [];
    const counting: ExportSource = {
      ...real,
      usagePage: async (...args) => { const page = await real.usagePage(...args); pages.push(page.length); return page; },
    };
    const text = await collect(csvChunks(counting, 'usage', { accountId: acct.accountId, since: 0, until: Number.MAX_SAFE_INTEGER }));
    assert.deepEqual(pages, [1000, 1000, 1000, 1000, 1000, 0]);
    const [header, ...body] = parseCsv(text);
    assert.equal(header![0], 'created_at');
    assert.equal(body.length, 5_000);
    const col = (name: string) => header!.indexOf(name);
    const stored = [...rows].sort((a, b) => a.createdAt - b.createdAt || (a.requestId < b.requestId ? -1 : 1));
    body.forEach((r, i) => {
      const u = stored[i]!;
      assert.equal(r[col('request_id')], u.requestId);
      assert.equal(r[col('created_at')], iso(u.createdAt));
      assert.equal(unguard(r[col('model')]!), u.model);
      assert.equal(parseCredits(r[col('cost')]!), u.cost);
      assert.equal(r[col('cost')], formatCredits(u.cost));
      assert.equal(parseCredits(r[col('hold')]!), u.hold);
      assert.equal(Number(r[col('output_tokens')]), u.outputTokens);
      assert.equal(r[col('stream')], String(u.stream));
      assert.equal(r[col('cache_hit')], String(u.cacheHit));
      assert.equal(r[col('project_id')], '');
    });
    assert.ok(body.some((r) => r[col('model')] === "'=cmd|calc"), 'a formula-looking model name is guarded');
  } finally {
    await h.close();
  }
});

async function get(url: string, auth?: string) {
  const res = await request(url, { headers: auth ? { authorization: `Bearer ${auth}` } : {} });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

test('HTTP exports: period filter, headers, ledger rows, each account only its own, admin token required', async () => {
  const h = await startHarness({ env: { TOLLGATE_ADMIN_TOKEN: TOKEN } });
  try {
    const mine = await h.account('10');
    const theirs = await h.account('10');
    await seed(h.store, Array.from({ length: 30 }, (_, i) => usage(mine.accountId, i)));
    await seed(h.store, Array.from({ length: 5 }, (_, i) => usage(theirs.accountId, i)));
    await h.client(mine.key).chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });

    const admin = `${h.gateway.url}/admin/v1/accounts/${mine.accountId}/exports`;
    // Rows at T0 + 0..9 s; [T0+3s, T0+6s) holds rows 9..17 (three per second).
    const period = `start_time=${iso(T0 + 3000)}&end_time=${(T0 + 6000) / 1000}`;
    const filtered = await get(`${admin}/usage.csv?${period}`, TOKEN);
    assert.equal(filtered.status, 200);
    assert.equal(filtered.headers['content-type'], 'text/csv; charset=utf-8');
    assert.match(String(filtered.headers['content-disposition']), /^attachment; filename="usage-acct_.*\.csv"$/);
    const ids = parseCsv(filtered.text).slice(1).map((r) => r[1]);
    assert.deepEqual(ids, Array.from({ length: 9 }, (_, i) => usage(mine.accountId, i + 9).requestId));

    const ledger = await get(`${admin}/ledger.csv`, TOKEN);
    assert.equal(ledger.status, 200);
    const [lh, ...entries] = parseCsv(ledger.text);
    const stored = await h.store.listLedger(mine.accountId);
    assert.ok(stored.some((e) => e.kind === 'capture'), 'the real request was captured');
    assert.deepEqual(entries.map((r) => [Number(r[lh!.indexOf('seq')]), r[lh!.indexOf('kind')], r[lh!.indexOf('amount')]]),
      stored.map((e) => [e.seq, e.kind, formatCredits(e.amount)]));
    assert.ok(entries.every((r) => r[lh!.indexOf('account_id')] === mine.accountId));

    // The account's own admin key: its own rows only; another account's key sees none of them.
    const { secret: myAdmin } = await issueKey(h.store, { accountId: mine.accountId, admin: true }, Date.now());
    const { secret: theirAdmin } = await issueKey(h.store, { accountId: theirs.accountId, admin: true }, Date.now());
    const own = parseCsv((await get(`${h.baseURL}/tollgate/exports/usage.csv`, myAdmin)).text).slice(1);
    assert.equal(own.length, 31);
    const other = parseCsv((await get(`${h.baseURL}/tollgate/exports/usage.csv`, theirAdmin)).text).slice(1);
    assert.equal(other.length, 5);
    assert.ok(other.every((r) => r[2] === theirs.accountId));
    const otherLedger = parseCsv((await get(`${h.baseURL}/tollgate/exports/ledger.csv`, theirAdmin)).text).slice(1);
    assert.ok(otherLedger.length > 0 && otherLedger.every((r) => r[2] === theirs.accountId));

    // Refusals: a project key, no key, no or a wrong admin token, a bad period, an unknown export, an unknown account.
    assert.equal((await get(`${h.baseURL}/tollgate/exports/usage.csv`, mine.key)).status, 403);
    assert.equal((await get(`${h.baseURL}/tollgate/exports/usage.csv`)).status, 401);
    assert.equal((await get(`${admin}/usage.csv`)).status, 401);
    assert.equal((await get(`${admin}/ledger.csv`, 'wrong')).status, 401);
    assert.equal((await get(`${admin}/ledger.csv`, myAdmin)).status, 401, 'an account admin key is not the operator token');
    assert.equal((await get(`${admin}/usage.csv?start_time=yesterday`, TOKEN)).status, 400);
    assert.equal((await get(`${admin}/usage.csv?start_time=2000&end_time=1000`, TOKEN)).status, 400);
    assert.equal((await get(`${admin}/grants.csv`, TOKEN)).status, 404);
    assert.equal((await get(`${h.gateway.url}/admin/v1/accounts/acct_nope/exports/usage.csv`, TOKEN)).status, 404);
  } finally {
    await h.close();
  }
});
