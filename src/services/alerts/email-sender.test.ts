// Email alerts through a local SMTP server (smtp-server) started by the test.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { SqliteAlertStore } from '../../store/sqlite/alerts-store.js';
import { buildAlertEvent } from '../../domain/alerts/alert-event.js';
import { AlertEvaluator } from './evaluator.js';
import { DeliveryWorker } from './delivery-worker.js';
import { EmailSender } from './email-sender.js';
import { renderAlertEmail } from './email-message.js';
import { readMail, startSmtpCapture } from './alert-test-receivers.js';

const C = 1_000_000_000_000n;
const DAY = 86_400_000;

async function setup(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-alerts-'));
  const main = new SqliteStore(join(dir, 'tollgate.db'));
  t.after(async () => {
    await main.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const { account } = await main.createAccount({ name: 'mail', now: 0 });
  return { store: new SqliteAlertStore(main.db), accountId: account.id };
}

test('an expiring grant is emailed once to a local SMTP server, as text and HTML', async (t) => {
  const { store, accountId } = await setup(t);
  const smtp = await startSmtpCapture();
  t.after(() => smtp.close());
  const now = 1_764_000_000_000;
  await store.createRule({
    accountId, kind: 'grant_expiring', params: { withinDays: 7 },
    channels: [{ type: 'email', recipients: ['ops@example.com', 'cfo@example.com'], subjectPrefix: 'Acme credits' }],
  }, now);
  const evaluator = new AlertEvaluator({
    store, now: () => now,
    facts: {
      balance: async () => assert.fail('not needed'),
      budgetStatus: async () => assert.fail('not needed'),
      dailySpend: async () => assert.fail('not needed'), monthSpend: async () => ({ month: '2026-11', spent: 0n }),
      grants: async () => [{ id: 'grant_abc', remaining: 2_500_000_000_000n, expiresAt: now + 2 * DAY }],
    },
  });
  const sender = new EmailSender({ smtpUrl: smtp.url, from: 'Tollgate <alerts@tollgate.test>' });
  t.after(() => sender.close());
  const worker = new DeliveryWorker({ store, senders: { email: sender }, now: () => now });

  for (let i = 0; i < 3; i++) {
    await evaluator.evaluate(accountId);
    await worker.drain();
  }
  assert.equal(smtp.messages.length, 1);
  const [mail] = smtp.messages;
  assert.equal(mail?.from, 'alerts@tollgate.test');
  assert.deepEqual(mail?.to, ['ops@example.com', 'cfo@example.com']);
  const { subject, text, html, headers } = readMail(mail!.raw);
  const summary = `Grant grant_abc has 2.5 credits left and expires at ${new Date(now + 2 * DAY).toISOString()}.`;
  assert.equal(subject, `Acme credits: Credits expiring soon - ${summary}`);
  assert.match(text, new RegExp(`^${summary.replace(/[.]/g, '\\.')}`));
  assert.match(text, /remaining: 2\.5\r?\n/);
  assert.match(text, /grant_id: grant_abc/);
  assert.match(html, /<h2>Credits expiring soon<\/h2>/);
  assert.match(html, /<th align="left">remaining<\/th><td>2\.5<\/td>/);
  assert.match(headers, /X-Tollgate-Event-Id: evt_[0-9a-f]{32}/i);

  const [delivery] = await store.listDeliveries({ accountId });
  assert.equal(delivery?.status, 'delivered');
  assert.equal(delivery?.channelKey, 'email:cfo@example.com,ops@example.com');
  assert.equal(delivery?.attemptLog[0]?.statusCode, 250);
});

test('an SMTP refusal is recorded with its reply code and retried; missing configuration fails at once', async (t) => {
  const { store, accountId } = await setup(t);
  const smtp = await startSmtpCapture({ rejectWith: 550 });
  t.after(() => smtp.close());
  let now = 1_764_000_000_000;
  const channels = [{ type: 'email' as const, recipients: ['ops@example.com'], subjectPrefix: null }];
  await store.createRule({ accountId, kind: 'low_balance', params: { threshold: C, rearmAt: null }, channels }, now);
  const facts = {
    balance: async () => ({ available: 0n }),
    budgetStatus: async () => [], grants: async () => [], dailySpend: async () => [], monthSpend: async () => ({ month: '2026-11', spent: 0n }),
  };
  await new AlertEvaluator({ store, facts, now: () => now }).evaluate(accountId);
  const refused = new EmailSender({ smtpUrl: smtp.url, from: 'alerts@tollgate.test' });
  t.after(() => refused.close());
  const worker = new DeliveryWorker({ store, senders: { email: refused }, now: () => now });
  assert.deepEqual(await worker.runOnce(), { claimed: 1, delivered: 0, retrying: 1, failed: 0, lost: 0 });
  let [delivery] = await store.listDeliveries({ accountId });
  assert.equal(delivery?.lastStatusCode, 550);
  assert.match(delivery?.lastError ?? '', /mailbox unavailable/);
  assert.equal(delivery?.nextAttemptAt, now + 30_000);

  // The operator never configured SMTP: no retries can help, the log says what to set.
  now += 30_000;
  const unconfigured = new DeliveryWorker({
    store, senders: { email: new EmailSender({ smtpUrl: undefined, from: undefined }) }, now: () => now,
  });
  assert.deepEqual(await unconfigured.runOnce(), { claimed: 1, delivered: 0, retrying: 0, failed: 1, lost: 0 });
  [delivery] = await store.listDeliveries({ accountId });
  assert.equal(delivery?.status, 'failed');
  assert.match(delivery?.lastError ?? '', /TOLLGATE_SMTP_URL/);
  assert.equal(smtp.messages.length, 0);
});

test('email bodies escape HTML and keep the subject on one line', () => {
  const event = buildAlertEvent({
    ruleId: 'alert_1', accountId: 'acct_1', dedupeKey: 'budget:<b>:2026-11:80', occurredAt: 0,
    data: { kind: 'budget_threshold', budgetId: '<script>x</script>', periodStart: '2026-11', percent: 80, limit: C, spent: C },
  });
  const mail = renderAlertEmail(event, { type: 'email', recipients: ['a@b.c'], subjectPrefix: null });
  assert.doesNotMatch(mail.html, /<script>/);
  assert.match(mail.html, /&lt;script&gt;x&lt;\/script&gt;/);
  assert.match(mail.subject, /^Tollgate alert: Budget threshold reached - Budget <script>x<\/script> reached 80%/);
  assert.doesNotMatch(mail.subject, /[\r\n]/);
});
