import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCredits } from '../../src/domain/money/pico.js';
import { startHarness } from '../support/harness.js';
import { assertLedgerBalances, assertNoOpenHolds } from '../support/ledger-check.js';

test('a chat completion through the openai SDK is charged exactly tokens x price', async () => {
  const h = await startHarness();
  try {
    const acct = await h.account('1');
    const client = h.client(acct.key);
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there' }] })
      .withResponse();
    const u = data.usage!;
    // gpt-4o-mini: $0.15 / 1M input, $0.60 / 1M output -> 150_000 and 600_000 pico per token
    const expected = BigInt(u.prompt_tokens) * 150_000n + BigInt(u.completion_tokens) * 600_000n;
    const balance = await h.balance(acct.accountId);
    assert.equal(balance.available, 1_000_000_000_000n - expected);
    assert.ok(response.headers.get('x-request-id')?.startsWith('req_'));
    assert.equal(response.headers.get('x-tollgate-cost'), formatCredits(expected));
    await assertLedgerBalances(h.store);
    await assertNoOpenHolds(h.store);
  } finally {
    await h.close();
  }
});
