// Faults on either side of the gateway, driven through the official SDK (and raw HTTP where the SDK cannot cut a
// stream precisely): cut-off streams are charged prompt + delivered output; upstream failures are free.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { APIConnectionError, APIError, APIUserAbortError, InternalServerError } from 'openai';
import { countTextTokens } from '../../src/domain/metering/tokenizer.js';
import { countChatPrompt } from '../../src/simulator/tokens.js';
import type { UsageRecord } from '../../src/store/records.js';
import { assertCharged, available, expectedCharge, priceOf, usageOf, waitFor } from '../support/billing-checks.js';
import { startHarness, type FundedAccount, type Harness, type HarnessOptions } from '../support/harness.js';

/** A hang fails the test instead of stalling the run. */
const TEST_TIMEOUT_MS = 30_000;

async function withHarness(fn: (h: Harness, acct: FundedAccount) => Promise<void>, opts: HarnessOptions = {}): Promise<void> {
  const h = await startHarness(opts);
  try {
    await fn(h, await h.account('1'));
  } finally {
    await h.close();
  }
}

/** The one usage record of the account, once the gateway has written it. */
function settledUsage(h: Harness, accountId: string): Promise<UsageRecord> {
  return waitFor('the usage record', async () => {
    const rows = await usageOf(h, accountId);
    assert.ok(rows.length <= 1, 'more than one usage record');
    return rows[0];
  });
}

/** The prompt tokens the hold was sized on: hold = prompt x input price + output cap x output price. */
function promptTokensHeld(h: Harness, row: UsageRecord, outputCap: number): number {
  const p = priceOf(h, row.model);
  const prompt = (row.hold - BigInt(outputCap) * p.outputPerToken) / p.inputPerToken;
  assert.equal(prompt * p.inputPerToken + BigInt(outputCap) * p.outputPerToken, row.hold, 'hold is not prompt x in + cap x out');
  return Number(prompt);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => assert.fail('expected the call to fail'), (e: unknown) => e);
}

/** An OpenAI-shaped error from the gateway itself: its status, its request id, no credit charged. */
async function assertFreeGatewayError(h: Harness, acct: FundedAccount, before: bigint, err: unknown, status: number, code: string): Promise<void> {
  assert.ok(err instanceof APIError, `expected an APIError, got ${String(err)}`);
  assert.equal(err.status, status);
  assert.deepEqual(Object.keys(err.error as object).sort(), ['code', 'message', 'param', 'type']);
  assert.deepEqual([err.type, err.code, err.param], ['server_error', code, null]);
  const row = await settledUsage(h, acct.accountId);
  assert.equal(err.requestID, row.requestId, 'x-request-id is the gateway request id');
  assert.deepEqual([row.status, row.httpStatus, row.cost], ['upstream_error', status, 0n]);
  await assertCharged(h, acct.accountId, before, 0n);
}

const STORY = [{ role: 'user' as const, content: 'Tell me a very long story about a toll bridge' }];

test('client aborts a chat stream: charged the held prompt + delivered output, and the upstream stream is aborted', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withHarness(async (h, acct) => {
    h.upstream.script({ kind: 'slow-stream', chunkDelayMs: 20, chunks: 100 });
    const before = await available(h, acct.accountId);
    const controller = new AbortController();
    const stream = await h.client(acct.key).chat.completions.create(
      { model: 'gpt-4o-mini', messages: STORY, stream: true, max_tokens: 1000 },
      { signal: controller.signal },
    );
    let seen = '';
    let contentChunks = 0;
    const iterate = async () => {
      for await (const chunk of stream) {
        const piece = chunk.choices[0]?.delta.content ?? '';
        seen += piece;
        if (piece !== '' && ++contentChunks === 6) controller.abort();
      }
    };
    const err = await iterate().then(() => undefined, (e: unknown) => e);
    assert.ok(err === undefined || err instanceof APIUserAbortError, `unexpected ${String(err)}`);
    const abortedAt = Date.now();

    const sim = h.upstream.requests[0]!;
    await waitFor('the upstream to see its client go', () => (sim.outcome === 'pending' ? undefined : sim.outcome));
    assert.equal(sim.outcome, 'client-closed', 'the upstream stream was not aborted');
    assert.ok(Date.now() - abortedAt < 1_000, 'the upstream ran on after the client left');

    const row = await settledUsage(h, acct.accountId);
    assert.deepEqual([row.status, row.stream, row.aborted], ['cut_off', true, true]);
    const held = promptTokensHeld(h, row, 1000);
    assert.equal(row.inputTokens, held, 'charged the prompt as counted for the hold');
    assert.equal(held, countChatPrompt('gpt-4o-mini', STORY.map((m) => ({ role: m.role, text: m.content }))));
    assert.equal(row.cachedInputTokens, 0);
    // 100 chunks of 3 tokens: the full reply is 300 tokens; the client took 6 chunks before leaving.
    assert.ok(row.outputTokens >= countTextTokens('gpt-4o-mini', seen), `delivered ${row.outputTokens} < seen by the client`);
    assert.ok(row.outputTokens > 0 && row.outputTokens < 300, `delivered ${row.outputTokens}`);
    const charge = expectedCharge(h, 'gpt-4o-mini', { input: row.inputTokens, output: row.outputTokens });
    assert.equal(row.cost, charge);
    await assertCharged(h, acct.accountId, before, charge);
  });
});

// DESIGN.md: when the client leaves a stream it is charged the prompt plus the output actually delivered (here none),
// and the upstream stream is aborted. Whether leaving before the upstream's headers costs the prompt or nothing is
// the lead's call; either is accepted below, a full charge for output nobody received is not.
test('client leaves a stream before the upstream answers: no output charged, the upstream call aborted', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withHarness(async (h, acct) => {
    h.upstream.script({ kind: 'ok', delayMs: 300 });
    const before = await available(h, acct.accountId);
    const controller = new AbortController();
    const call = h.client(acct.key).chat.completions.create(
      { model: 'gpt-4o-mini', messages: STORY, stream: true, max_tokens: 1000 }, { signal: controller.signal },
    );
    await waitFor('the upstream call to start', () => (h.upstream.requests.length > 0 ? true : undefined));
    controller.abort();
    assert.ok((await rejection(call)) instanceof APIUserAbortError);

    const row = await settledUsage(h, acct.accountId);
    const sim = h.upstream.requests[0]!;
    await waitFor('the upstream call to end', () => (sim.outcome === 'pending' ? undefined : sim.outcome));
    assert.equal(row.outputTokens, 0, `charged ${row.outputTokens} output tokens the client never received (status ${row.status})`);
    assert.notEqual(row.status, 'ok');
    assert.equal(row.aborted, true);
    assert.equal(sim.outcome, 'client-closed', 'the upstream stream ran to the end after the client left');
    assert.ok(row.inputTokens === 0 || row.inputTokens === promptTokensHeld(h, row, 1000));
    const charge = expectedCharge(h, 'gpt-4o-mini', { input: row.inputTokens, output: 0 });
    assert.equal(row.cost, charge);
    await assertCharged(h, acct.accountId, before, charge);
  });
});

test('client drops a responses stream (raw HTTP): charged prompt + delivered output, upstream aborted', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withHarness(async (h, acct) => {
    h.upstream.script({ kind: 'slow-stream', chunkDelayMs: 20, chunks: 100 });
    const before = await available(h, acct.accountId);
    const body = JSON.stringify({ model: 'gpt-4.1-mini', input: 'A long story, please', stream: true, max_output_tokens: 2000 });
    const seen = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(`${h.baseURL}/responses`, {
        method: 'POST',
        headers: { authorization: `Bearer ${acct.key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      }, (res) => {
        assert.equal(res.statusCode, 200);
        let buffered = '';
        let text = '';
        let deltas = 0;
        res.setEncoding('utf8');
        res.on('data', (data: string) => {
          buffered += data;
          let end;
          while ((end = buffered.indexOf('\n\n')) !== -1) {
            const event = buffered.slice(0, end);
            buffered = buffered.slice(end + 2);
            const line = event.split('\n').find((l) => l.startsWith('data: '));
            const json = line === undefined ? undefined : JSON.parse(line.slice(6)) as { type?: string; delta?: string };
            if (json?.type === 'response.output_text.delta') {
              text += json.delta ?? '';
              if (++deltas === 5) {
                req.destroy();
                resolve(text);
              }
            }
          }
        });
      });
      req.on('error', (err) => (err.message === 'socket hang up' || (err as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(err)));
      req.end(body);
    });

    const sim = h.upstream.requests[0]!;
    await waitFor('the upstream to see its client go', () => (sim.outcome === 'pending' ? undefined : sim.outcome));
    assert.equal(sim.outcome, 'client-closed');
    const row = await settledUsage(h, acct.accountId);
    assert.deepEqual([row.status, row.endpoint, row.aborted], ['cut_off', 'responses', true]);
    assert.equal(row.inputTokens, promptTokensHeld(h, row, 2000));
    assert.ok(row.outputTokens >= countTextTokens('gpt-4.1-mini', seen) && row.outputTokens < 300, `delivered ${row.outputTokens}`);
    assert.ok(row.outputTokens > 0);
    await assertCharged(h, acct.accountId, before, expectedCharge(h, 'gpt-4.1-mini', { input: row.inputTokens, output: row.outputTokens }));
  });
});

test('upstream resets mid-stream: the client sees a broken stream and is charged prompt + delivered output', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withHarness(async (h, acct) => {
    h.upstream.script({ kind: 'reset-mid-stream', afterChunks: 5 });
    const before = await available(h, acct.accountId);
    const stream = await h.client(acct.key).chat.completions.create({ model: 'gpt-4o-mini', messages: STORY, stream: true });
    let seen = '';
    let finish: string | null = null;
    const err = await (async () => {
      for await (const chunk of stream) {
        seen += chunk.choices[0]?.delta.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
    })().then(() => undefined, (e: unknown) => e);
    assert.ok(err !== undefined, 'the stream looked complete to the client');
    assert.equal(finish, null, 'the client saw a finish_reason the upstream never sent');
    assert.ok(seen.length > 0, 'the client saw none of the delivered chunks');

    const row = await settledUsage(h, acct.accountId);
    assert.deepEqual([row.status, row.aborted, row.cachedInputTokens], ['cut_off', false, 0]);
    assert.equal(row.inputTokens, promptTokensHeld(h, row, priceOf(h, 'gpt-4o-mini').maxOutputTokens!));
    // The simulator's normal reply is 48 tokens in chunks of 3: 5 chunks delivered.
    assert.equal(row.outputTokens, countTextTokens('gpt-4o-mini', seen), 'delivered tokens = what the client received');
    assert.ok(row.outputTokens > 0 && row.outputTokens < 48);
    await assertCharged(h, acct.accountId, before, expectedCharge(h, 'gpt-4o-mini', { input: row.inputTokens, output: row.outputTokens }));
  });
});

test('upstream stalls mid-stream past TOLLGATE_UPSTREAM_TIMEOUT_MS: a broken stream, charged prompt + delivered', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withHarness(async (h, acct) => {
    // The head frame arrives at once; each content frame would come a second later, after the 300 ms timeout.
    h.upstream.script({ kind: 'slow-stream', chunkDelayMs: 1_000, chunks: 20 });
    const before = await available(h, acct.accountId);
    const stream = await h.client(acct.key).chat.completions.create({ model: 'gpt-4o-mini', messages: STORY, stream: true, max_tokens: 500 });
    let seen = '';
    const err = await (async () => {
      for await (const chunk of stream) seen += chunk.choices[0]?.delta.content ?? '';
    })().then(() => undefined, (e: unknown) => e);
    assert.ok(err !== undefined, 'the stream looked complete to the client');
    const row = await settledUsage(h, acct.accountId);
    assert.deepEqual([row.status, row.aborted], ['cut_off', false]);
    assert.equal(row.inputTokens, promptTokensHeld(h, row, 500));
    assert.equal(row.outputTokens, countTextTokens('gpt-4o-mini', seen));
    await assertCharged(h, acct.accountId, before, expectedCharge(h, 'gpt-4o-mini', { input: row.inputTokens, output: row.outputTokens }));
    const sim = h.upstream.requests[0]!;
    await waitFor('the upstream stream to be dropped', () => (sim.outcome === 'pending' ? undefined : sim.outcome));
    assert.equal(sim.outcome, 'client-closed', 'the stalled upstream stream was left open');
  }, { env: { TOLLGATE_UPSTREAM_TIMEOUT_MS: '300' } });
});

test('upstream 500 on a plain call: free, and the client gets the upstream status and error body', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withHarness(async (h, acct) => {
    h.upstream.script({ kind: 'status', status: 500 });
    const before = await available(h, acct.accountId);
    const err = await rejection(h.client(acct.key).chat.completions.create({ model: 'gpt-4o-mini', messages: STORY }));
    assert.ok(err instanceof InternalServerError);
    assert.equal(err.status, 500);
    assert.deepEqual(err.error, {
      message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null,
    });
    assert.equal(h.upstream.requests.length, 1, 'maxRetries 0: one upstream call');
    const row = await settledUsage(h, acct.accountId);
    assert.equal(err.requestID, row.requestId);
    assert.deepEqual([row.status, row.httpStatus, row.cost, row.inputTokens, row.outputTokens], ['upstream_error', 500, 0n, 0, 0]);
    await assertCharged(h, acct.accountId, before, 0n);
  });
});

test('upstream 503 with its own body on a streamed call: free, status and body passed through', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withHarness(async (h, acct) => {
    const body = { error: { message: 'Overloaded: slow down', type: 'server_error', param: null, code: 'overloaded' } };
    h.upstream.script({ kind: 'status', status: 503, body });
    const before = await available(h, acct.accountId);
    const err = await rejection(h.client(acct.key).chat.completions.create({ model: 'gpt-4o-mini', messages: STORY, stream: true }));
    assert.ok(err instanceof InternalServerError);
    assert.equal(err.status, 503);
    assert.deepEqual(err.error, body.error);
    const row = await settledUsage(h, acct.accountId);
    assert.equal(err.requestID, row.requestId);
    assert.deepEqual([row.status, row.httpStatus, row.cost], ['upstream_error', 503, 0n]);
    await assertCharged(h, acct.accountId, before, 0n);
  });
});

test('upstream refuses the connection: free 502, OpenAI-shaped', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withHarness(async (h, acct) => {
    h.upstream.script({ kind: 'refuse' });
    const before = await available(h, acct.accountId);
    const err = await rejection(h.client(acct.key).chat.completions.create({ model: 'gpt-4o-mini', messages: STORY }));
    assert.equal(h.upstream.requests[0]?.outcome, 'reset');
    await assertFreeGatewayError(h, acct, before, err, 502, 'upstream_unavailable');
  });
});

test('upstream resets halfway through a plain JSON answer: free 502', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withHarness(async (h, acct) => {
    h.upstream.script({ kind: 'reset-mid-stream', afterChunks: 0 });
    const before = await available(h, acct.accountId);
    const err = await rejection(h.client(acct.key).embeddings.create({ model: 'text-embedding-3-small', input: 'embed me' }));
    assert.equal(h.upstream.requests[0]?.outcome, 'reset');
    await assertFreeGatewayError(h, acct, before, err, 502, 'upstream_unavailable');
  });
});

test('upstream port closed: free 502, OpenAI-shaped', { timeout: TEST_TIMEOUT_MS }, async () => {
  // Port 1 (tcpmux): privileged and unused here, so nothing answers. A port freed by a probe server could be taken by
  // another test's server before the gateway connects (seen once: that server answered 401).
  const port = 1;
  await withHarness(async (h, acct) => {
    const before = await available(h, acct.accountId);
    const err = await rejection(h.client(acct.key).responses.create({ model: 'gpt-4o-mini', input: 'hello' }));
    assert.equal(h.upstream.requests.length, 0);
    await assertFreeGatewayError(h, acct, before, err, 502, 'upstream_unavailable');
  }, { env: { OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` } });
});

test('upstream hangs: free 504 after TOLLGATE_UPSTREAM_TIMEOUT_MS', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withHarness(async (h, acct) => {
    h.upstream.script({ kind: 'hang' });
    const before = await available(h, acct.accountId);
    const started = Date.now();
    const err = await rejection(h.client(acct.key).chat.completions.create({ model: 'gpt-4o-mini', messages: STORY, stream: true }));
    const waited = Date.now() - started;
    assert.ok(waited >= 250 && waited < 5_000, `answered after ${waited} ms`);
    assert.ok(!(err instanceof APIConnectionError), 'the gateway answered rather than dropping the connection');
    await assertFreeGatewayError(h, acct, before, err, 504, 'upstream_timeout');
  }, { env: { TOLLGATE_UPSTREAM_TIMEOUT_MS: '300' } });
});

test('client leaves a plain call: the upstream call finishes and its reported usage is charged', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withHarness(async (h, acct) => {
    h.upstream.script({ kind: 'ok', delayMs: 300, usage: { promptTokens: 20, completionTokens: 48 } });
    const before = await available(h, acct.accountId);
    const controller = new AbortController();
    const call = h.client(acct.key).chat.completions.create({ model: 'gpt-4o-mini', messages: STORY }, { signal: controller.signal });
    await waitFor('the upstream call to start', () => (h.upstream.requests.length > 0 ? true : undefined));
    controller.abort();
    assert.ok((await rejection(call)) instanceof APIUserAbortError);

    const row = await settledUsage(h, acct.accountId);
    assert.equal(h.upstream.requests[0]!.outcome, 'answered', 'the upstream call was cut short');
    assert.deepEqual([row.status, row.inputTokens, row.outputTokens], ['ok', 20, 48]);
    await assertCharged(h, acct.accountId, before, expectedCharge(h, 'gpt-4o-mini', { input: 20, output: 48 }));
  });
});
