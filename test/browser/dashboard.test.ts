// The dashboard in real headless Chromium (Debian's, through playwright-core), at desktop and phone widths: sign in,
// balance, create and revoke a key, set a budget, the forecast, read the usage chart, redeem a code (once) and see its
// receipt, buy a pack up to the redirect to Checkout (the Stripe stand-in), complete it via the webhook and see the new
// balance and receipt, use the playground, the operator pages.
// Screenshots go to test-artifacts/. Without chromium the test is skipped locally and fails under CI=true.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Harness } from '../support/harness.js';
import { startPaymentsFixture, type PaymentsFixture } from '../support/payments-fixture.js';
import { addMember, PASSWORD } from '../support/dashboard-client.js';
import { ensureWebBuilt } from '../support/web-build.js';
import { redemptionStoreFor } from '../../src/services/redemption/gateway-redemption.js';
import { generateBatch } from '../../src/services/redemption/redemption-service.js';
import { forecastFor, forecastView } from '../../src/services/forecast/forecast-service.js';

const CHROMIUM = process.env.TOLLGATE_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
const TOKEN = 'browser-admin-token';
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;

const missing = !existsSync(CHROMIUM);
if (missing && process.env.CI === 'true') {
  test('chromium is installed for the browser tests', () => assert.fail(`no chromium at ${CHROMIUM} (apt-get install chromium)`));
}

test('the dashboard works in a real browser at desktop and phone widths', { skip: missing && process.env.CI !== 'true' ? `no chromium at ${CHROMIUM}` : false, timeout: 60_000 }, async () => {
  if (missing) return;
  ensureWebBuilt();
  mkdirSync(ARTIFACTS, { recursive: true });
  const f = await startPaymentsFixture({ env: { TOLLGATE_ADMIN_TOKEN: TOKEN } });
  const h = f.h;
  let browser: Browser | undefined;
  try {
    const plan = await f.call('PUT', '/admin/v1/plans/pack-10', TOKEN, { kind: 'pack', name: '10 credits', price_cents: 1000, credits: '10', bonus_credits: '2' });
    assert.equal(plan.status, 200, JSON.stringify(plan.json));
    const a = await h.account('25');
    await addMember(h, a.accountId, 'owner@browser.test', 'owner');
    const client = h.client(a.key);
    for (let i = 0; i < 3; i++) {
      await client.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: `request ${i}` }] });
    }
    const batch = await generateBatch(redemptionStoreFor(h.store),
      { amount: 5_000_000_000_000n, count: VIEWPORTS.length, expiresAt: null, perAccountLimit: null, grantExpiresDays: null, note: 'browser' }, Date.now());
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    for (const [i, vp] of VIEWPORTS.entries()) {
      const context = await browser.newContext({ viewport: { width: vp.width, height: vp.height } });
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      await walkThrough(page, f, vp.name, batch.codes[i]!.code, i);
      // Expected: the 401 of /me before sign-in, and the one 400 of redeeming the same code twice.
      assert.equal(errors.filter((e) => /status of 400/.test(e)).length, 1, 'one refused second redeem');
      assert.deepEqual(errors.filter((e) => !/status of 40[01]/.test(e)), [], `no script or CSP errors at ${vp.name}`);
      await context.close();
    }
  } finally {
    await browser?.close();
    await f.close();
  }
});

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS}dashboard-${name}.png`, fullPage: true });
}

async function walkThrough(page: Page, f: PaymentsFixture, vp: string, code: string, pass: number): Promise<void> {
  const h: Harness = f.h;
  // Each earlier pass redeemed a 5-credit code and bought a 12-credit pack.
  const start = 24 + 17 * pass;
  const base = `${h.gateway.url}/dashboard/`;
  await page.goto(base);
  await page.fill('input[name=email]', 'owner@browser.test');
  await page.fill('input[name=password]', PASSWORD);
  await shot(page, `${vp}-sign-in`);
  await page.click('button[type=submit]');

  // Balance: 25 granted, less the three requests.
  const available = page.getByTestId('available');
  await available.waitFor();
  const shown = await available.textContent();
  assert.match(shown ?? '', new RegExp(`^${start}\\.9\\d+$`), `balance shown at ${vp}: ${shown}`);
  await shot(page, `${vp}-balance`);

  // Keys: create (shown once), then revoke.
  await page.goto(`${base}#/keys`);
  await page.fill('input[name=key-name]', `ci-${vp}`);
  await page.click('text=Create key');
  const secret = await page.getByTestId('new-key').locator('code').textContent();
  assert.match(secret ?? '', /^tg-/);
  assert.equal((await h.client(secret!).models.list()).data.length > 0, true, 'the new key works');
  const row = page.getByTestId(`key-ci-${vp}`);
  await shot(page, `${vp}-keys`);
  await row.getByText('Revoke').click();
  await row.getByText('revoked').waitFor();
  await assert.rejects(h.client(secret!).models.list(), /401/);

  // Budget: set, then see its progress bar.
  await page.goto(`${base}#/budgets`);
  const limit = vp === 'desktop' ? '40' : '50';
  await page.fill('input[name=limit]', limit);
  await page.click('text=Save budget');
  await page.getByTestId('budget-limit').getByText(limit, { exact: true }).waitFor();
  assert.equal(await page.locator('.bar').count(), 1);
  await shot(page, `${vp}-budgets`);

  // Forecast: a run-out date from the burn rate of the requests above, and the budget's projection.
  await page.goto(`${base}#/forecast`);
  await page.getByTestId('runs-out').waitFor();
  // The page shows the account's forecast (the same service the API uses); a few cheap requests against 25+ credits
  // run out only beyond the forecast's 100-year horizon.
  const accountId = (await h.store.listAccounts())[0]!.id;
  const expected = forecastView((await forecastFor(h.store, accountId, Date.now()))!);
  assert.equal(await page.getByTestId('runs-out').textContent(), expected.runs_out_at ? expected.runs_out_at.slice(0, 10) : 'not within 100 years');
  assert.equal(await page.getByTestId('days-left').textContent(), expected.days_left === null ? '—' : String(expected.days_left));
  const burn = await page.getByTestId('burn-rate').locator('span').getAttribute('title');
  assert.equal(burn, expected.burn_rate_per_day, 'the exact burn rate');
  assert.match(burn ?? '', /[1-9]/, 'the requests made a burn rate above zero');
  await page.getByTestId('budget-projection').getByText(limit, { exact: true }).waitFor();
  assert.equal(await page.getByTestId('budget-projection').count(), 1);
  await shot(page, `${vp}-forecast`);

  // Redeem a code: the balance rises by its 5 credits; the same code again is a clear error; the receipt is listed.
  await page.goto(`${base}#/receipts`);
  await page.getByTestId('receipts').waitFor();
  const beforeRedeem = (await h.balance((await h.store.listAccounts())[0]!.id)).available;
  await page.fill('input[name=code]', code.toLowerCase());
  await page.click('button[type=submit]:has-text("Redeem")');
  await page.getByTestId('redeemed').waitFor();
  const afterRedeem = (await h.balance((await h.store.listAccounts())[0]!.id)).available;
  assert.equal(afterRedeem - beforeRedeem, 5_000_000_000_000n, 'the balance rose by the code');
  assert.match((await page.getByTestId('redeem-available').textContent()) ?? '', new RegExp(`^${start + 5}\\.9\\d+$`));
  await page.getByTestId('receipt-redemption').nth(pass).waitFor();
  assert.equal(await page.getByTestId('receipt-redemption').count(), pass + 1, 'one receipt per redeemed code');
  await page.fill('input[name=code]', code);
  await page.click('button[type=submit]:has-text("Redeem")');
  await page.getByTestId('redeem').getByRole('alert').getByText(/already redeemed/).waitFor();
  assert.equal((await h.balance((await h.store.listAccounts())[0]!.id)).available, afterRedeem, 'a second redeem adds nothing');
  await shot(page, `${vp}-receipts`);
  await page.goto(`${base}#/overview`);
  assert.match((await page.getByTestId('available').textContent()) ?? '', new RegExp(`^${start + 5}\\.9\\d+$`), 'the balance page shows it');

  // Buy credits: choose the pack, get redirected to Checkout (the stand-in's URL, answered here), the provider's
  // webhook completes it, and the dashboard shows the new balance and the receipt with the amount paid.
  await page.route('https://checkout.stripe.test/**', (route) => route.fulfill({ contentType: 'text/html', body: '<title>Checkout</title><h1>Stripe Checkout stand-in</h1>' }));
  await page.goto(`${base}#/buy`);
  await page.getByTestId('plan-pack-10').getByText('Buy for 10.00 USD').waitFor();
  await shot(page, `${vp}-buy`);
  await page.getByTestId('plan-pack-10').getByRole('button').click();
  await page.waitForURL(/^https:\/\/checkout\.stripe\.test\/c\/pay\/cs_test_/);
  const sessionId = /cs_test_[0-9a-f]+/.exec(page.url())![0];
  assert.equal((await h.balance(accountId)).available, afterRedeem, 'nothing granted before the payment is confirmed');
  const paid = await f.deliver(f.stripe.checkoutCompleted(sessionId));
  assert.deepEqual([paid.status, paid.json.granted], [200, true]);
  await page.goto(`${base}#/overview`);
  assert.match((await page.getByTestId('available').textContent()) ?? '', new RegExp(`^${start + 17}\\.9\\d+$`), 'the bought 12 credits show');
  await page.goto(`${base}#/receipts`);
  await page.getByTestId('receipt-purchase').nth(pass).waitFor();
  assert.equal(await page.getByTestId('receipt-purchase').count(), pass + 1, 'one receipt per purchase');
  assert.match((await page.getByTestId('receipt-purchase').first().textContent()) ?? '', /12.*10\.00 USD/);
  await shot(page, `${vp}-receipts-after-purchase`);

  // Usage chart after the requests were made (the playground below adds to it on the second pass).
  await page.goto(`${base}#/usage`);
  await page.getByTestId('total-requests').waitFor();
  const requests = Number(await page.getByTestId('total-requests').textContent());
  assert.ok(requests >= 3, `usage counts the requests: ${requests}`);
  assert.equal(await page.getByTestId('saved-cost').textContent(), '0', 'credits saved by the cache (no cache here)');
  const box = await page.getByTestId('usage-chart').boundingBox();
  assert.ok(box && box.width > 200 && box.height > 100, 'the chart is drawn');
  // Runs in the page (the test's own lib has no DOM types, hence the structural type).
  const painted = await page.getByTestId('usage-chart').evaluate((c) => {
    type Canvas = { width: number; height: number; getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
    const canvas = c as unknown as Canvas;
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let colored = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && data[i + 2]! > 150 && data[i]! < 100) colored++;
    return colored;
  });
  assert.ok(painted > 50, `the bars are painted (${painted} blue pixels)`);
  await shot(page, `${vp}-usage`);

  // Playground: an answer with its cost, and the balance goes down by it.
  const before = (await h.balance((await h.store.listAccounts())[0]!.id)).available;
  await page.goto(`${base}#/playground`);
  await page.fill('input[name=prompt]', 'Hello from the browser');
  await page.click('text=Send');
  await page.getByTestId('answer').waitFor();
  const cost = await page.getByTestId('answer-cost').textContent();
  assert.match(cost ?? '', /^0\.\d+$/);
  const after = (await h.balance((await h.store.listAccounts())[0]!.id)).available;
  assert.ok(after < before, 'the playground spent credits');
  await shot(page, `${vp}-playground`);

  // Members: an owner invites a reader and gets a one-time link.
  await page.goto(`${base}#/members`);
  await page.fill('input[name=invite-email]', `reader-${vp}@browser.test`);
  await page.selectOption('select[name=invite-role]', 'reader');
  await page.click('button[type=submit]:has-text("Invite")');
  assert.match((await page.getByTestId('invite-link').locator('code').textContent()) ?? '', /\/dashboard\/#\/join\//);
  await shot(page, `${vp}-members`);

  // Operator pages: refused with a wrong token, then accounts with the right one.
  await page.goto(`${base}#/operator`);
  await page.fill('input[name=admin-token]', 'wrong');
  await page.click('text=Enter');
  await page.getByRole('alert').waitFor();
  await page.fill('input[name=admin-token]', TOKEN);
  await page.click('text=Enter');
  await page.getByTestId('operator-accounts').getByText('test account').waitFor();
  await shot(page, `${vp}-operator`);
  // Phone width: nothing is wider than the screen.
  const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth') as number;
  assert.ok(overflow <= 1, `no horizontal overflow at ${vp} (${overflow}px)`);
}
