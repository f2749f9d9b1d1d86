// OpenAI's usage and costs API (/v1/organization/usage/*, /v1/organization/costs) against the usage records it is
// rolled up from: several bucket widths and groupings across a day boundary, pagination, the account boundary, and
// the shape the openai SDK and plain fetch read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { formatCredits } from '../../src/domain/money/pico.js';
import { issueKey } from '../../src/services/api-keys.js';
import type { UsageRecord } from '../../src/store/records.js';
import { startHarness, type Harness } from '../support/harness.js';

const DAY_START = Date.UTC(2026, 10, 30) / 1000; // 2026-11-30T00:00:00Z, unix seconds
const NEXT_DAY = DAY_START + 86_400;

/** A clock the gateway reads (deps.now); tests move it forward only. */
function clock(startMs: number) {
  let t = startMs;
  return { now: () => t, set: (ms: number) => { t = ms; } };
}

async function get(h: Harness, key: string, path: string) {
  const res = await fetch(`${h.baseURL}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, json: (await res.json()) as any };
}

interface Traffic {
  h: Harness;
  c: ReturnType<typeof clock>;
  accountId: string;
  admin: string;
  records: UsageRecord[];
}

/** Requests from two projects and keys, two chat models, responses and embeddings, on both sides of midnight UTC. */
async function traffic(): Promise<Traffic> {
  const c = clock((NEXT_DAY - 150) * 1000); // 23:57:30
  const h = await startHarness({ now: c.now });
  const a = await h.account('10');
  const project2 = await h.store.createProject({ accountId: a.accountId, name: 'second', now: c.now() });
  const key2 = await issueKey(h.store, { accountId: a.accountId, projectId: project2.id }, c.now());
  const { secret: admin } = await issueKey(h.store, { accountId: a.accountId, admin: true }, c.now());
  const one = h.client(a.key);
  const two = h.client(key2.secret);
  const steps: Array<[number, () => Promise<unknown>]> = [
    [-150, () => one.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 8, messages: [{ role: 'user', content: 'first' }] })],
    [-100, () => one.embeddings.create({ model: 'text-embedding-3-small', input: 'embed me please' })],
    [-61, () => two.chat.completions.create({ model: 'gpt-4o', max_tokens: 5, messages: [{ role: 'user', content: 'second project' }] })],
    [-1, () => one.responses.create({ model: 'gpt-4o-mini', max_output_tokens: 16, input: 'last second of the day' })],
    [0, () => one.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 9, messages: [{ role: 'user', content: 'midnight' }] })],
    [30, () => two.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'bb', 'ccc'] })],
    [95, () => two.chat.completions.create({ model: 'gpt-4o-mini', stream: true, max_tokens: 6,
      messages: [{ role: 'user', content: 'streamed' }] }).then(async (s) => { for await (const _ of s) { /* drain */ } })],
    [3_700, () => one.chat.completions.create({ model: 'gpt-4o', max_tokens: 4, messages: [{ role: 'user', content: 'an hour on' }] })],
  ];
  for (const [offset, call] of steps) {
    c.set((NEXT_DAY + offset) * 1000);
    await call();
  }
  // A refused request leaves a usage record that the usage API must not count (it never reached a model).
  await assert.rejects(one.chat.completions.create({ model: 'gpt-4o', max_tokens: 2_000_000, messages: [{ role: 'user', content: 'x' }] }));
  await h.balance(a.accountId);
  const records = await h.store.listUsage({ accountId: a.accountId });
  assert.ok(records.filter((r) => r.status === 'ok').length >= steps.length);
  assert.ok(records.some((r) => r.status === 'insufficient_quota'), 'a refused request is on record, to be left out');
  return { h, c, accountId: a.accountId, admin, records };
}

type Kind = 'completions' | 'embeddings' | 'costs';

/** What the API must answer, summed straight from the usage records. */
function expected(records: UsageRecord[], kind: Kind, origin: number, end: number, width: number, groupBy: string[]) {
  const out = new Map<string, { input: number; cached: number; output: number; requests: number; charged: bigint }>();
  for (const r of records) {
    if (r.status !== 'ok' && r.status !== 'cut_off') continue;
    const isEmbedding = r.endpoint === 'embeddings';
    if (kind === 'completions' && isEmbedding) continue;
    if (kind === 'embeddings' && !isEmbedding) continue;
    const at = Math.floor(r.createdAt / 1000);
    if (at < origin || at >= end) continue;
    const bucket = origin + Math.floor((at - origin) / width) * width;
    const key = [bucket, groupBy.includes('project_id') ? r.projectId : null, groupBy.includes('api_key_id') ? r.keyId : null,
      groupBy.includes('model') || groupBy.includes('line_item') ? r.model : null].join('|');
    const s = out.get(key) ?? { input: 0, cached: 0, output: 0, requests: 0, charged: 0n };
    s.input += r.inputTokens;
    s.cached += r.cachedInputTokens;
    s.output += r.outputTokens;
    s.requests += 1;
    s.charged += r.cost - r.uncollected;
    out.set(key, s);
  }
  return out;
}

function answered(page: any, kind: Kind) {
  const out = new Map<string, unknown>();
  for (const b of page.data) {
    for (const r of b.results) {
      const key = [b.start_time, r.project_id, r.api_key_id, kind === 'costs' ? r.line_item : r.model].join('|');
      out.set(key, kind === 'costs' ? r.amount.value
        : kind === 'embeddings' ? [r.input_tokens, r.num_model_requests]
          : [r.input_tokens, r.input_cached_tokens, r.output_tokens, r.num_model_requests]);
    }
  }
  return out;
}

function want(records: UsageRecord[], kind: Kind, origin: number, end: number, width: number, groupBy: string[]) {
  const out = new Map<string, unknown>();
  for (const [key, s] of expected(records, kind, origin, end, width, groupBy)) {
    out.set(key, kind === 'costs' ? Number(formatCredits(s.charged))
      : kind === 'embeddings' ? [s.input, s.requests] : [s.input, s.cached, s.output, s.requests]);
  }
  return out;
}

test('usage and costs equal the sums of the usage records, for 1m, 1h and 1d buckets and every grouping, across midnight', async () => {
  const t = await traffic();
  try {
    const windows: Array<[string, number, number, number]> = [
      ['1m', NEXT_DAY - 180, NEXT_DAY + 180, 60],
      ['1h', NEXT_DAY - 7_200, NEXT_DAY + 7_200, 3_600],
      ['1d', DAY_START, NEXT_DAY + 86_400, 86_400],
      ['1h', NEXT_DAY - 1_800, NEXT_DAY + 5_400, 3_600], // buckets laid from a start_time that is not on the hour
    ];
    const groupings = [[], ['project_id'], ['api_key_id'], ['model'], ['project_id', 'api_key_id', 'model']];
    let compared = 0;
    for (const kind of ['completions', 'embeddings', 'costs'] as const) {
      for (const [width, start, end, sec] of windows) {
        if (kind === 'costs' && width !== '1d') continue;
        for (const groups of groupings) {
          const groupBy = kind === 'costs' ? groups.map((g) => (g === 'model' ? 'line_item' : g)) : groups;
          const path = kind === 'costs' ? '/organization/costs' : `/organization/usage/${kind}`;
          const qs = `start_time=${start}&end_time=${end}&bucket_width=${width}&limit=${width === '1d' ? 31 : 168}`
            + groupBy.map((g) => `&group_by=${g}`).join('');
          const page = await get(t.h, t.admin, `${path}?${qs}`);
          assert.equal(page.status, 200, JSON.stringify(page.json));
          assert.equal(page.json.data.length, Math.ceil((end - start) / sec));
          assert.equal(page.json.has_more, false);
          const expect = want(t.records, kind, start, end, sec, groupBy);
          assert.ok(expect.size > 0);
          assert.deepEqual(answered(page.json, kind), expect, `${kind} ${qs}`);
          compared++;
        }
      }
    }
    assert.equal(compared, 2 * 4 * 5 + 5, "completions and embeddings in 4 windows, costs in the 1d one, 5 groupings each");

    // The day boundary really splits the traffic: both days have usage, and the 1d buckets are the UTC days.
    const days = await get(t.h, t.admin, `/organization/usage/completions?start_time=${DAY_START}&end_time=${NEXT_DAY + 86_400}`);
    assert.deepEqual(days.json.data.map((b: any) => [b.start_time, b.end_time]), [[DAY_START, NEXT_DAY], [NEXT_DAY, NEXT_DAY + 86_400]]);
    assert.ok(days.json.data.every((b: any) => b.results[0].num_model_requests > 0));

    // Filters narrow to what they name.
    const someKey = t.records.find((r) => r.status === 'ok' && r.endpoint !== 'embeddings')!;
    const filtered = await get(t.h, t.admin, `/organization/usage/completions?start_time=${DAY_START}&end_time=${NEXT_DAY + 86_400}`
      + `&api_key_ids=${someKey.keyId}&models=gpt-4o-mini&group_by=api_key_id&group_by=model`);
    const narrowed = t.records.filter((r) => r.keyId === someKey.keyId && r.model === 'gpt-4o-mini');
    assert.deepEqual(answered(filtered.json, 'completions'), want(narrowed, 'completions', DAY_START, NEXT_DAY + 86_400, 86_400, ['api_key_id', 'model']));
    const batchOnly = await get(t.h, t.admin, `/organization/usage/completions?start_time=${DAY_START}&batch=true`);
    assert.ok(batchOnly.json.data.every((b: any) => b.results.length === 0), 'Tollgate runs no batch jobs');
  } finally {
    await t.h.close();
  }
});

test('pagination: limit buckets per page, next_page until has_more is false, the same buckets as one page', async () => {
  const t = await traffic();
  try {
    const base = `start_time=${NEXT_DAY - 300}&end_time=${NEXT_DAY + 300}&bucket_width=1m&group_by=model`;
    const whole = await get(t.h, t.admin, `/organization/usage/completions?${base}`);
    assert.equal(whole.json.data.length, 10);
    const pages: any[] = [];
    let page: string | null = null;
    do {
      const res = await get(t.h, t.admin, `/organization/usage/completions?${base}&limit=3${page ? `&page=${page}` : ''}`);
      assert.equal(res.status, 200);
      assert.ok(res.json.data.length <= 3);
      pages.push(...res.json.data);
      assert.equal(res.json.has_more, res.json.next_page !== null);
      page = res.json.next_page;
    } while (page);
    assert.deepEqual(pages, whole.json.data);

    // Without an end_time, later pages keep the first page's end even as the clock moves on.
    t.c.set((NEXT_DAY + 7_200) * 1000);
    const first = await get(t.h, t.admin, `/organization/usage/completions?start_time=${NEXT_DAY - 3_600}&bucket_width=1h&limit=1`);
    assert.equal(first.json.has_more, true);
    t.c.set((NEXT_DAY + 30_000) * 1000);
    let next = first.json.next_page as string | null;
    let count = first.json.data.length;
    while (next) {
      const res = await get(t.h, t.admin, `/organization/usage/completions?start_time=${NEXT_DAY - 3_600}&bucket_width=1h&limit=1&page=${next}`);
      count += res.json.data.length;
      next = res.json.next_page;
    }
    assert.equal(count, 3, 'three hours from start_time to the first page\'s now');

    const bad = await get(t.h, t.admin, `/organization/usage/completions?${base}&page=nonsense`);
    assert.equal(bad.status, 400);
    assert.deepEqual(Object.keys(bad.json.error), ['message', 'type', 'param', 'code']);
    assert.equal(bad.json.error.type, 'invalid_request_error');
    assert.equal(bad.json.error.param, 'page');
  } finally {
    await t.h.close();
  }
});

test('the openai SDK and plain fetch read the pages as OpenAI\'s; exact JSON shape', async () => {
  const t = await traffic();
  try {
    const sdk = new OpenAI({ adminAPIKey: t.admin, baseURL: t.h.baseURL, maxRetries: 0 });
    const completions = await sdk.admin.organization.usage.completions({
      start_time: NEXT_DAY - 120, end_time: NEXT_DAY + 120, bucket_width: '1m', group_by: ['project_id', 'model'], limit: 2,
    });
    assert.equal(completions.object, 'page');
    assert.equal(completions.data.length, 2);
    assert.equal(completions.has_more, true);
    const rest = await sdk.admin.organization.usage.completions({
      start_time: NEXT_DAY - 120, end_time: NEXT_DAY + 120, bucket_width: '1m', group_by: ['project_id', 'model'], limit: 2,
      page: completions.next_page!,
    });
    assert.equal(rest.has_more, false);
    assert.equal(rest.next_page, null);
    const all = [...completions.data, ...rest.data];
    assert.deepEqual(all.map((b) => b.start_time), [NEXT_DAY - 120, NEXT_DAY - 60, NEXT_DAY, NEXT_DAY + 60]);
    const costs = await sdk.admin.organization.usage.costs({ start_time: DAY_START, end_time: NEXT_DAY + 86_400, group_by: ['line_item'] });
    assert.ok(costs.data.flatMap((b) => b.results).every((r: any) => r.object === 'organization.costs.result' && r.amount.currency === 'usd'));
    const embeddings = await sdk.admin.organization.usage.embeddings({ start_time: DAY_START, end_time: NEXT_DAY + 86_400 });
    const e = embeddings.data[1]!.results[0]!;
    assert.equal(e.object, 'organization.usage.embeddings.result');

    const raw = await get(t.h, t.admin, `/organization/usage/completions?start_time=${NEXT_DAY}&end_time=${NEXT_DAY + 60}&bucket_width=1m`);
    assert.deepEqual(Object.keys(raw.json), ['object', 'data', 'has_more', 'next_page']);
    const bucket = raw.json.data[0];
    assert.deepEqual(Object.keys(bucket), ['object', 'start_time', 'end_time', 'results']);
    const midnight = t.records.filter((r) => Math.floor(r.createdAt / 1000) === NEXT_DAY && r.status === 'ok');
    assert.equal(midnight.length, 1);
    const r0 = midnight[0]!;
    assert.deepEqual(raw.json, {
      object: 'page', has_more: false, next_page: null,
      data: [{ object: 'bucket', start_time: NEXT_DAY, end_time: NEXT_DAY + 60, results: [{
        object: 'organization.usage.completions.result', input_tokens: r0.inputTokens, input_cached_tokens: r0.cachedInputTokens,
        input_cache_write_tokens: 0, input_uncached_tokens: r0.inputTokens - r0.cachedInputTokens, output_tokens: r0.outputTokens,
        input_text_tokens: r0.inputTokens - r0.cachedInputTokens, output_text_tokens: r0.outputTokens,
        input_cached_text_tokens: r0.cachedInputTokens, input_audio_tokens: 0, input_cached_audio_tokens: 0, output_audio_tokens: 0,
        input_image_tokens: 0, input_cached_image_tokens: 0, output_image_tokens: 0, num_model_requests: 1,
        project_id: null, user_id: null, api_key_id: null, model: null, batch: null, service_tier: null,
      }] }],
    });
    assert.ok(r0.inputTokens > 0 && r0.outputTokens > 0);

    const limit = await get(t.h, t.admin, `/organization/usage/completions?start_time=${DAY_START}&bucket_width=1h&limit=169`);
    assert.equal(limit.status, 400);
    assert.deepEqual(limit.json.error, {
      message: "Invalid 'limit': integer above maximum value. Expected a value <= 168, but got 169 instead.",
      type: 'invalid_request_error', param: 'limit', code: 'integer_above_max_value',
    });
    const missing = await get(t.h, t.admin, '/organization/costs');
    assert.equal(missing.status, 400);
    assert.equal(missing.json.error.message, "Missing required parameter: 'start_time'.");
  } finally {
    await t.h.close();
  }
});

test('each account reads only its own usage and costs; a project key is refused', async () => {
  const t = await traffic();
  try {
    const other = await t.h.account('10');
    const { secret: otherAdmin } = await issueKey(t.h.store, { accountId: other.accountId, admin: true }, t.c.now());
    const range = `start_time=${DAY_START}&end_time=${NEXT_DAY + 86_400}`;
    for (const path of ['/organization/usage/completions', '/organization/usage/embeddings', '/organization/costs']) {
      const empty = await get(t.h, otherAdmin, `${path}?${range}`);
      assert.equal(empty.status, 200);
      assert.ok(empty.json.data.every((b: any) => b.results.length === 0), `${path}: another account's usage is not visible`);
      const mine = await get(t.h, t.admin, `${path}?${range}`);
      assert.ok(mine.json.data.some((b: any) => b.results.length > 0));
      // Naming the first account's project does not reach into it.
      const project = t.records[0]!.projectId!;
      const probe = await get(t.h, otherAdmin, `${path}?${range}&project_ids=${project}&group_by=project_id`);
      assert.ok(probe.json.data.every((b: any) => b.results.length === 0));
      const refused = await get(t.h, other.key, `${path}?${range}`);
      assert.equal(refused.status, 403);
      assert.equal(refused.json.error.code, 'insufficient_permissions');
      const none = await fetch(`${t.h.baseURL}${path}?${range}`);
      assert.equal(none.status, 401);
      const post = await fetch(`${t.h.baseURL}${path}?${range}`, { method: 'POST', headers: { authorization: `Bearer ${t.admin}` } });
      assert.equal(post.status, 405);
    }
    // The other account's own traffic shows up for it, and only for it.
    t.c.set((NEXT_DAY + 4_000) * 1000);
    await t.h.client(other.key).chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 3, messages: [{ role: 'user', content: 'mine' }] });
    await t.h.balance(other.accountId);
    const own = await get(t.h, otherAdmin, `/organization/usage/completions?${range}&group_by=api_key_id`);
    const results = own.json.data.flatMap((b: any) => b.results);
    assert.equal(results.length, 1);
    assert.equal(results[0].api_key_id, other.keyId);
    assert.equal(results[0].num_model_requests, 1);
  } finally {
    await t.h.close();
  }
});

test('concurrent requests settled in batches: the rollups still equal the usage records', async () => {
  const c = clock((NEXT_DAY - 30) * 1000);
  const h = await startHarness({ now: c.now });
  try {
    const a = await h.account('50');
    const { secret: admin } = await issueKey(h.store, { accountId: a.accountId, admin: true }, c.now());
    const keys = [a.key, (await issueKey(h.store, { accountId: a.accountId }, c.now())).secret,
      (await issueKey(h.store, { accountId: a.accountId }, c.now())).secret];
    const burst = (n: number) => Promise.all(Array.from({ length: n }, (_, i) => h.client(keys[i % keys.length]!).chat.completions
      .create({ model: 'gpt-4o-mini', max_tokens: 3 + (i % 5), messages: [{ role: 'user', content: `burst ${i}` }] })));
    await burst(24);
    c.set((NEXT_DAY + 15) * 1000); // the second burst lands on the next day
    await burst(24);
    await h.balance(a.accountId);
    const records = await h.store.listUsage({ accountId: a.accountId });
    assert.equal(records.filter((r) => r.status === 'ok').length, 48);
    for (const [width, sec, groups] of [['1m', 60, ['api_key_id']], ['1d', 86_400, []]] as const) {
      const start = width === '1d' ? DAY_START : NEXT_DAY - 120;
      const end = width === '1d' ? NEXT_DAY + 86_400 : NEXT_DAY + 120;
      const page = await get(h, admin, `/organization/usage/completions?start_time=${start}&end_time=${end}&bucket_width=${width}`
        + groups.map((g) => `&group_by=${g}`).join(''));
      const expect = want(records, 'completions', start, end, sec, [...groups]);
      assert.equal(expect.size, width === '1d' ? 2 : 6, 'both days; 3 keys in each of 2 minutes');
      assert.deepEqual(answered(page.json, 'completions'), expect);
    }
    const costs = await get(h, admin, `/organization/costs?start_time=${DAY_START}&end_time=${NEXT_DAY + 86_400}&group_by=api_key_id`);
    assert.deepEqual(answered(costs.json, 'costs'), want(records, 'costs', DAY_START, NEXT_DAY + 86_400, 86_400, ['api_key_id']));
  } finally {
    await h.close();
  }
});
