// Alerts end to end: budget soft thresholds reach a signed webhook exactly once each, off the hot path, and the
// delivery log shows them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { parseCredits } from '../../src/domain/money/pico.js';
import { verifyWebhookSignature, SIGNATURE_HEADER } from '../../src/services/alerts/signature.js';
import { startHarness } from '../support/harness.js';
import { issueKey } from '../../src/services/api-keys.js';
import { waitFor } from '../support/billing-checks.js';

const TOKEN = 'alerts-admin-token';

test('each soft budget threshold is told once, signed, as spend crosses it', async () => {
  const received: Array<{ body: string; signature: string }> = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      received.push({ body, signature: String(req.headers[SIGNATURE_HEADER] ?? '') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const h = await startHarness({ env: { TOLLGATE_ADMIN_TOKEN: TOKEN } });
  try {
    const acct = await h.account('10');
    await h.store.setBudget({
      accountId: acct.accountId, scope: 'account', scopeId: acct.accountId, period: 'month', timeZone: 'UTC',
      limit: parseCredits('0.0002'), thresholds: [10, 20],
    }, Date.now());
    const created = await request(`${h.gateway.url}/admin/v1/accounts/${acct.accountId}/alert_rules`, {
      method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'budget_threshold', params: {}, channels: [{ type: 'webhook', url: hookUrl }] }),
    });
    assert.equal(created.statusCode, 201);
    const rule = (await created.body.json()) as { channels: Array<{ secret: string }> };
    const secret = rule.channels[0]!.secret;
    assert.ok(secret.length >= 16);

    const client = h.client(acct.key);
    // Each call costs ~0.0000135 credits: 10 calls pass 20 % of 0.0002 (and stay under the hard limit).
    for (let i = 0; i < 10; i++) {
      await client.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: 'Hello there' }] });
    }
    await waitFor('two threshold webhooks', () => (received.length >= 2 ? true : undefined), 10_000);
    // More spend and more evaluations never repeat a threshold already told.
    await client.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: 'again' }] });
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(received.length, 2);
    const percents = received.map((r) => (JSON.parse(r.body) as { data: { percent: number } }).data.percent).sort((a, b) => a - b);
    assert.deepEqual(percents, [10, 20]);
    for (const r of received) {
      assert.equal(verifyWebhookSignature(r.body, r.signature, secret, { now: Date.now() }).valid, true);
      assert.equal(verifyWebhookSignature(r.body.replace('budget', 'bvdget'), r.signature, secret, { now: Date.now() }).valid, false);
    }
    const log = await request(`${h.gateway.url}/admin/v1/alert_deliveries?account_id=${acct.accountId}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const deliveries = ((await log.body.json()) as { data: Array<{ status: string; attempts: number }> }).data;
    assert.equal(deliveries.length, 2);
    assert.ok(deliveries.every((d) => d.status === 'delivered' && d.attempts === 1));
    // The account reads the same log with its own admin key, and only its own.
    const { secret: adminKey } = await issueKey(h.store, { accountId: acct.accountId, admin: true }, Date.now());
    const own = await request(`${h.baseURL}/tollgate/alert_deliveries`, { headers: { authorization: `Bearer ${adminKey}` } });
    assert.equal(((await own.body.json()) as { data: unknown[] }).data.length, 2);
    const stranger = await h.account('1');
    const { secret: otherAdmin } = await issueKey(h.store, { accountId: stranger.accountId, admin: true }, Date.now());
    const theirs = await request(`${h.baseURL}/tollgate/alert_deliveries`, { headers: { authorization: `Bearer ${otherAdmin}` } });
    assert.equal(((await theirs.body.json()) as { data: unknown[] }).data.length, 0);
  } finally {
    await h.close();
    receiver.close();
  }
});
