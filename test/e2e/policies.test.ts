// Request policies end to end, with the openai SDK: each refusal (model not allowed, output cap, prompt cap) moves no
// credit and never reaches the upstream; a default output length is sent upstream and bounds the hold; a substitution
// rewrites the model, is priced and recorded as the model served, and shows in x-tollgate-model-substituted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { request } from 'undici';
import { available, assertCharged, expectedCharge, usageOf } from '../support/billing-checks.js';
import { runCli } from '../support/child-process.js';
import { startHarness, type Harness } from '../support/harness.js';
import { formatCredits } from '../../src/domain/money/pico.js';

const ADMIN = 'admin-token-policies';

async function harness(): Promise<Harness> {
  return startHarness({ env: { TOLLGATE_ADMIN_TOKEN: ADMIN } });
}

async function admin(h: Harness, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await request(`${h.gateway.url}/admin/v1${path}`, {
    method: method as 'GET', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.statusCode, json: await res.body.json() };
}

async function setPolicy(h: Harness, accountId: string, body: Record<string, unknown>): Promise<void> {
  const r = await admin(h, 'PUT', `/accounts/${accountId}/policies`, body);
  assert.equal(r.status, 200, JSON.stringify(r.json));
}

/** The SDK's error for a call that must fail. */
async function refusal(call: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await call;
  } catch (err) {
    if (err instanceof OpenAI.APIError) return err;
    throw err;
  }
  assert.fail('the request was served');
}

const hello = [{ role: 'user' as const, content: 'Hello there' }];

test('a model outside the allowed list is 404 model_not_found; account and key lists intersect', async () => {
  const h = await harness();
  try {
    const acct = await h.account('10');
    await setPolicy(h, acct.accountId, { allowed_models: ['gpt-4o-mini', 'gpt-4.1-mini'] });
    await setPolicy(h, acct.accountId, { scope: 'key', scope_id: acct.keyId, allowed_models: ['gpt-4.1-mini', 'gpt-4o'] });
    const client = h.client(acct.key);
    const before = await available(h, acct.accountId);
    for (const model of ['gpt-4o', 'gpt-4o-mini']) {
      const err = await refusal(client.chat.completions.create({ model, messages: hello }));
      assert.equal(err.status, 404);
      assert.equal(err.code, 'model_not_found');
      assert.equal(err.param, 'model');
      assert.equal((err.error as { message: string }).message, `The model \`${model}\` does not exist or you do not have access to it.`);
    }
    assert.equal(h.upstream.requests.length, 0, 'a refused request never reaches the upstream');
    await assertCharged(h, acct.accountId, before, 0n);
    assert.equal((await usageOf(h, acct.accountId)).length, 0);

    const served = await client.chat.completions.create({ model: 'gpt-4.1-mini', messages: hello });
    assert.equal(served.model, 'gpt-4.1-mini');
    // /v1/models lists only what the key may ask for.
    const listed: string[] = [];
    for await (const m of client.models.list()) listed.push(m.id);
    assert.deepEqual(listed, ['gpt-4.1-mini']);
    assert.equal((await client.models.retrieve('gpt-4.1-mini')).id, 'gpt-4.1-mini');
    assert.equal((await refusal(client.models.retrieve('gpt-4o'))).status, 404);
    // Another key of the same account has only the account's list.
    const other = await h.account('1');
    await setPolicy(h, other.accountId, { allowed_models: ['gpt-4o-mini'] });
    assert.equal((await h.client(other.key).chat.completions.create({ model: 'gpt-4o-mini', messages: hello })).model, 'gpt-4o-mini');
  } finally {
    await h.close();
  }
});

test('an output cap above the policy is 400 naming the field; the most restrictive scope wins', async () => {
  const h = await harness();
  try {
    const acct = await h.account('10');
    await setPolicy(h, acct.accountId, { max_output_tokens: 50 });
    await setPolicy(h, acct.accountId, { scope: 'project', scope_id: acct.projectId, max_output_tokens: 30 });
    await setPolicy(h, acct.accountId, { scope: 'key', scope_id: acct.keyId, max_output_tokens: 40 });
    const client = h.client(acct.key);
    const before = await available(h, acct.accountId);
    const cases: Array<[string, () => Promise<unknown>]> = [
      ['max_tokens', () => client.chat.completions.create({ model: 'gpt-4o-mini', messages: hello, max_tokens: 31 })],
      ['max_completion_tokens', () => client.chat.completions.create({ model: 'gpt-4o-mini', messages: hello, max_completion_tokens: 40 })],
      ['max_output_tokens', () => client.responses.create({ model: 'gpt-4o-mini', input: 'Hello', max_output_tokens: 1000 })],
      ['max_tokens', () => client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Hello', max_tokens: 35 })],
    ];
    for (const [field, call] of cases) {
      const err = await refusal(call());
      assert.equal(err.status, 400);
      assert.equal(err.type, 'invalid_request_error');
      assert.equal(err.code, 'integer_above_max_value');
      assert.equal(err.param, field);
      assert.match(err.message, /The request policy of this API key allows at most 30 output tokens, whereas you provided \d+\./);
    }
    assert.equal(h.upstream.requests.length, 0);
    await assertCharged(h, acct.accountId, before, 0n);

    const ok = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: hello, max_tokens: 30 });
    assert.equal(ok.usage?.completion_tokens, 30, 'a cap at the policy limit is served as asked');
    assert.equal((h.upstream.requests.at(-1)!.body as { max_tokens: number }).max_tokens, 30);
  } finally {
    await h.close();
  }
});

test('with no output cap in the request, the policy default is sent upstream and bounds the hold', async () => {
  const h = await harness();
  try {
    const acct = await h.account('10');
    await setPolicy(h, acct.accountId, { max_output_tokens: 50, default_output_tokens: 10 });
    const client = h.client(acct.key);

    const before = await available(h, acct.accountId);
    const chat = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: hello });
    const sent = h.upstream.requests.at(-1)!.body as Record<string, unknown>;
    assert.equal(sent.max_completion_tokens, 10, 'chat: max_completion_tokens written upstream');
    assert.equal(chat.usage?.completion_tokens, 10);
    const charge = expectedCharge(h, 'gpt-4o-mini', { input: chat.usage!.prompt_tokens, output: 10 });
    await assertCharged(h, acct.accountId, before, charge);
    const [record] = await usageOf(h, acct.accountId);
    assert.equal(record!.hold, charge, 'the hold was prompt + the default output: exactly the charge here');

    // Responses: OpenAI's minimum max_output_tokens is 16, so the default is raised to it there.
    const responses = await client.responses.create({ model: 'gpt-4o-mini', input: 'Hello' });
    assert.equal((h.upstream.requests.at(-1)!.body as Record<string, unknown>).max_output_tokens, 16);
    assert.equal(responses.usage?.output_tokens, 16);
    const completion = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Hello' });
    assert.equal((h.upstream.requests.at(-1)!.body as Record<string, unknown>).max_tokens, 10);
    assert.equal(completion.usage?.completion_tokens, 10);

    // A stream gets the default too, and still has its usage chunk hidden.
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: hello, stream: true });
    let text = '';
    for await (const chunk of stream) {
      assert.equal(chunk.usage, undefined);
      text += chunk.choices[0]?.delta.content ?? '';
    }
    assert.ok(text.length > 0);
    assert.equal((h.upstream.requests.at(-1)!.body as Record<string, unknown>).max_completion_tokens, 10);

    // With a cap and no default, the cap itself is sent, so the upstream can never outrun the hold.
    await setPolicy(h, acct.accountId, { max_output_tokens: 20 });
    const capped = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: hello });
    assert.equal((h.upstream.requests.at(-1)!.body as Record<string, unknown>).max_completion_tokens, 20);
    assert.equal(capped.usage?.completion_tokens, 20);
  } finally {
    await h.close();
  }
});

test('a prompt over the policy prompt cap is 400 context_length_exceeded', async () => {
  const h = await harness();
  try {
    const acct = await h.account('10');
    await setPolicy(h, acct.accountId, { scope: 'project', scope_id: acct.projectId, max_prompt_tokens: 20 });
    const client = h.client(acct.key);
    const before = await available(h, acct.accountId);
    const long = 'word '.repeat(40);
    const err = await refusal(client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: long }] }));
    assert.equal(err.status, 400);
    assert.equal(err.code, 'context_length_exceeded');
    assert.equal(err.param, 'messages');
    assert.match(err.message, /The request policy of this API key allows at most 20 prompt tokens\. However, your request resulted in \d+ tokens/);
    const resp = await refusal(client.responses.create({ model: 'gpt-4o-mini', input: long }));
    assert.equal(resp.param, 'input');
    assert.equal(h.upstream.requests.length, 0);
    await assertCharged(h, acct.accountId, before, 0n);
    const ok = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: hello });
    assert.ok(ok.usage!.prompt_tokens <= 20);
  } finally {
    await h.close();
  }
});

test('a substitution serves, prices and records the substituted model, says so in a header, most specific scope first', async () => {
  const h = await harness();
  try {
    const acct = await h.account('10');
    await setPolicy(h, acct.accountId, { allowed_models: ['gpt-4o-mini', 'gpt-4.1-mini'], substitutions: { 'gpt-4o': 'gpt-4o-mini', 'gpt-4.1': 'gpt-4.1-mini' } });
    const client = h.client(acct.key);
    const before = await available(h, acct.accountId);
    const { data, response } = await client.chat.completions.create({ model: 'gpt-4o', messages: hello, max_tokens: 12 }).withResponse();
    assert.equal(response.headers.get('x-tollgate-model-substituted'), 'gpt-4o -> gpt-4o-mini');
    assert.equal(data.model, 'gpt-4o-mini', 'the response names the model that served it');
    assert.equal((h.upstream.requests.at(-1)!.body as { model: string }).model, 'gpt-4o-mini');
    const charge = expectedCharge(h, 'gpt-4o-mini', { input: data.usage!.prompt_tokens, output: data.usage!.completion_tokens });
    assert.notEqual(charge, expectedCharge(h, 'gpt-4o', { input: data.usage!.prompt_tokens, output: data.usage!.completion_tokens }));
    await assertCharged(h, acct.accountId, before, charge);
    assert.equal(response.headers.get('x-tollgate-cost'), formatCredits(charge));
    const [record] = await usageOf(h, acct.accountId);
    assert.equal(record!.model, 'gpt-4o-mini');
    assert.equal(record!.cost, charge);

    // A stream carries the header too.
    const streamed = await client.chat.completions.create({ model: 'gpt-4.1', messages: hello, stream: true }).withResponse();
    assert.equal(streamed.response.headers.get('x-tollgate-model-substituted'), 'gpt-4.1 -> gpt-4.1-mini');
    for await (const chunk of streamed.data) assert.equal(chunk.model, 'gpt-4.1-mini');

    // The key's own substitution wins over the account's; the served model must still be allowed.
    await setPolicy(h, acct.accountId, { scope: 'key', scope_id: acct.keyId, substitutions: { 'gpt-4o': 'gpt-4.1-mini' } });
    const keyed = await client.chat.completions.create({ model: 'gpt-4o', messages: hello }).withResponse();
    assert.equal(keyed.response.headers.get('x-tollgate-model-substituted'), 'gpt-4o -> gpt-4.1-mini');
    await setPolicy(h, acct.accountId, { scope: 'key', scope_id: acct.keyId, substitutions: { 'gpt-4o': 'gpt-5' } });
    const err = await refusal(client.chat.completions.create({ model: 'gpt-4o', messages: hello }));
    assert.equal(err.status, 404);
    assert.equal(err.code, 'model_not_found');
    // Without a substitution the header is absent.
    const plain = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: hello }).withResponse();
    assert.equal(plain.response.headers.get('x-tollgate-model-substituted'), null);
  } finally {
    await h.close();
  }
});

test('the admin API lists, validates and deletes policies', async () => {
  const h = await harness();
  try {
    const acct = await h.account('10');
    const bad = await admin(h, 'PUT', `/accounts/${acct.accountId}/policies`, { max_output_tokens: 10, default_output_tokens: 20 });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error.message, /default_output_tokens \(20\) is above max_output_tokens \(10\)/);
    const wrongKey = await admin(h, 'PUT', `/accounts/${acct.accountId}/policies`, { scope: 'key', scope_id: 'key_nope', max_output_tokens: 5 });
    assert.equal(wrongKey.status, 404);
    const negative = await admin(h, 'PUT', `/accounts/${acct.accountId}/policies`, { max_prompt_tokens: -1 });
    assert.equal(negative.status, 400);
    assert.equal(negative.json.error.param, 'max_prompt_tokens');

    await setPolicy(h, acct.accountId, { allowed_models: ['gpt-4o-mini'] });
    const list = await admin(h, 'GET', `/accounts/${acct.accountId}/policies`);
    assert.equal(list.json.data.length, 1);
    assert.deepEqual(list.json.data[0].allowed_models, ['gpt-4o-mini']);
    assert.equal(list.json.data[0].scope, 'account');
    const client = h.client(acct.key);
    assert.equal((await refusal(client.chat.completions.create({ model: 'gpt-4o', messages: hello }))).status, 404);
    const deleted = await admin(h, 'DELETE', `/accounts/${acct.accountId}/policies?scope=account`);
    assert.equal(deleted.json.deleted, true);
    assert.equal((await client.chat.completions.create({ model: 'gpt-4o', messages: hello })).model, 'gpt-4o', 'applies on the next request');
    assert.equal((await admin(h, 'DELETE', `/accounts/${acct.accountId}/policies?scope=account`)).status, 404);
  } finally {
    await h.close();
  }
});

test('policies set / list / delete through the CLI apply on the very next request', async () => {
  const h = await harness();
  try {
    const acct = await h.account('10');
    const env = { TOLLGATE_DB: h.dbPath, OPENAI_BASE_URL: h.upstream.url, ...(h.databaseUrl ? { DATABASE_URL: h.databaseUrl } : {}) };
    const set = await runCli(['policies', 'set', '--account', acct.accountId, '--key', acct.keyId, '--allow-models', 'gpt-4o-mini',
      '--max-output', '40', '--default-output', '8', '--max-prompt', '500', '--substitute', 'gpt-4o=gpt-4o-mini', '--json'], env);
    assert.equal(set.code, 0, set.stderr);
    const policy = JSON.parse(set.stdout);
    assert.equal(policy.scope, 'key');
    assert.equal(policy.scope_id, acct.keyId);
    assert.deepEqual(policy.substitutions, { 'gpt-4o': 'gpt-4o-mini' });

    const client = h.client(acct.key);
    const { data, response } = await client.chat.completions.create({ model: 'gpt-4o', messages: hello }).withResponse();
    assert.equal(response.headers.get('x-tollgate-model-substituted'), 'gpt-4o -> gpt-4o-mini');
    assert.equal(data.usage?.completion_tokens, 8);
    assert.equal((await refusal(client.chat.completions.create({ model: 'gpt-4.1', messages: hello }))).status, 404);

    const listed = await runCli(['policies', 'list', '--account', acct.accountId, '--json'], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(JSON.parse(listed.stdout)[0].max_output_tokens, 40);

    const wrong = await runCli(['policies', 'set', '--account', acct.accountId, '--max-output', '5', '--default-output', '9'], env);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /default_output_tokens \(9\) is above max_output_tokens \(5\)/);
    const badPair = await runCli(['policies', 'set', '--account', acct.accountId, '--substitute', 'gpt-4o'], env);
    assert.equal(badPair.code, 2);

    const del = await runCli(['policies', 'delete', '--account', acct.accountId, '--key', acct.keyId], env);
    assert.equal(del.code, 0, del.stderr);
    assert.equal((await client.chat.completions.create({ model: 'gpt-4.1', messages: hello })).model, 'gpt-4.1');
  } finally {
    await h.close();
  }
});
