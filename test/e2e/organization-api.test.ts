// The account's own OpenAI-shaped admin endpoints, with an account admin key: project rate limits and spend alerts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { issueKey } from '../../src/services/api-keys.js';
import { startHarness, type Harness } from '../support/harness.js';

async function call(h: Harness, key: string, method: string, path: string, body?: unknown) {
  const res = await request(`${h.baseURL}${path}`, {
    method: method as 'GET', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.statusCode, json: (await res.body.json()) as any };
}

test('project rate limits: listed per model family, tightened through the API, enforced on the next request', async () => {
  const h = await startHarness();
  try {
    const acct = await h.account('10', { tier: 'tier-1' });
    const { secret: admin } = await issueKey(h.store, { accountId: acct.accountId, admin: true }, Date.now());
    const list = await call(h, admin, 'GET', `/organization/projects/${acct.projectId}/rate_limits`);
    assert.equal(list.status, 200);
    const mini = list.json.data.find((r: any) => r.id === 'rl-gpt-4o-mini');
    assert.deepEqual(mini, { object: 'project.rate_limit', id: 'rl-gpt-4o-mini', model: 'gpt-4o-mini',
      max_requests_per_1_minute: 500, max_tokens_per_1_minute: 200000, max_requests_per_1_day: 10000 });

    const updated = await call(h, admin, 'POST', `/organization/projects/${acct.projectId}/rate_limits/rl-gpt-4o-mini`, { max_requests_per_1_minute: 2 });
    assert.equal(updated.status, 200);
    assert.equal(updated.json.max_requests_per_1_minute, 2);
    const client = h.client(acct.key);
    const ask = () => client.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });
    await ask();
    await ask();
    await assert.rejects(ask(), (err: any) => err.status === 429 && err.code === 'rate_limit_exceeded' && /project/.test(err.message));

    const projectKey = await call(h, acct.key, 'GET', `/organization/projects/${acct.projectId}/rate_limits`);
    assert.equal(projectKey.status, 403, 'a project key cannot use admin endpoints');
    const other = await h.account('1');
    assert.equal((await call(h, admin, 'GET', `/organization/projects/${other.projectId}/rate_limits`)).status, 404);
  } finally {
    await h.close();
  }
});

test('spend alerts: create, list, retrieve, modify, delete in OpenAI shape', async () => {
  const h = await startHarness();
  try {
    const acct = await h.account('10');
    const { secret: admin } = await issueKey(h.store, { accountId: acct.accountId, admin: true }, Date.now());
    const created = await call(h, admin, 'POST', '/organization/spend_alerts', {
      threshold_amount: 100000, currency: 'USD', interval: 'month',
      notification_channel: { type: 'email', recipients: ['finance@example.com'], subject_prefix: 'Spend' },
    });
    assert.equal(created.status, 200);
    assert.equal(created.json.object, 'organization.spend_alert');
    assert.equal(created.json.threshold_amount, 100000);
    assert.deepEqual(created.json.notification_channel, { type: 'email', recipients: ['finance@example.com'], subject_prefix: 'Spend' });
    const id = created.json.id as string;
    assert.equal((await call(h, admin, 'GET', '/organization/spend_alerts')).json.data.length, 1);
    assert.equal((await call(h, admin, 'GET', `/organization/spend_alerts/${id}`)).json.id, id);
    const modified = await call(h, admin, 'POST', `/organization/spend_alerts/${id}`, { threshold_amount: 2500 });
    assert.equal(modified.json.threshold_amount, 2500);
    assert.equal((await call(h, admin, 'POST', '/organization/spend_alerts', { threshold_amount: 5, currency: 'EUR', interval: 'month',
      notification_channel: { type: 'email', recipients: ['a@b.co'] } })).status, 400);
    const deleted = await call(h, admin, 'DELETE', `/organization/spend_alerts/${id}`);
    assert.deepEqual(deleted.json, { id, object: 'organization.spend_alert.deleted', deleted: true });
    assert.equal((await call(h, admin, 'GET', `/organization/spend_alerts/${id}`)).status, 404);
  } finally {
    await h.close();
  }
});
