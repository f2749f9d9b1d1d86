// `tollgate members add|list|invite` as a child process against a running gateway's store; the member signs in at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/child-process.js';
import { DashboardClient } from '../support/dashboard-client.js';
import { startHarness, type Harness } from '../support/harness.js';

function cli(h: Harness, args: string[]) {
  return runCli(args, { TOLLGATE_DB: h.dbPath, OPENAI_BASE_URL: h.upstream.url, ...(h.databaseUrl === undefined ? {} : { DATABASE_URL: h.databaseUrl }) });
}

test('members add prints a one-time password that signs in; list and invite work; bad input is refused', async () => {
  const h = await startHarness({ env: { TOLLGATE_SIGNUP_MODE: 'invite' } });
  try {
    const a = await h.account('2');
    const added = await cli(h, ['members', 'add', '--account', a.accountId, '--email', 'Boss@Example.com', '--role', 'owner', '--json']);
    assert.equal(added.code, 0, added.stderr);
    const out = JSON.parse(added.stdout) as { email: string; role: string; password: string };
    assert.deepEqual([out.email, out.role], ['boss@example.com', 'owner']);
    const c = new DashboardClient(h.gateway.url);
    const signIn = await c.signIn('boss@example.com', out.password);
    assert.equal(signIn.status, 200);
    assert.equal(signIn.json.account_id, a.accountId);
    const list = await cli(h, ['members', 'list', '--account', a.accountId, '--json']);
    assert.deepEqual(JSON.parse(list.stdout).map((m: { email: string }) => m.email), ['boss@example.com']);
    assert.equal((await cli(h, ['members', 'add', '--account', a.accountId, '--email', 'boss@example.com', '--role', 'owner'])).code, 2);
    assert.equal((await cli(h, ['members', 'add', '--account', a.accountId, '--email', 'x@example.com', '--role', 'admin'])).code, 2);
    assert.equal((await cli(h, ['members', 'add', '--account', 'acct_nope', '--email', 'x@example.com', '--role', 'owner'])).code, 2);
    const invite = await cli(h, ['members', 'invite', '--email', 'founder@new.test', '--json']);
    assert.equal(invite.code, 0, invite.stderr);
    const { token } = JSON.parse(invite.stdout) as { token: string };
    const joined = await new DashboardClient(h.gateway.url).call('POST', '/dashboard/api/signup',
      { email: 'founder@new.test', password: 'a long password', invite_token: token });
    assert.equal(joined.status, 201);
    assert.notEqual(joined.json.account_id, a.accountId);
  } finally {
    await h.close();
  }
});
