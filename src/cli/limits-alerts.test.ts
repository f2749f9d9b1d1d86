// The CLI's tier, rate-limit and alert commands against a SQLite file, as an operator runs them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../test/support/child-process.js';

test('tiers, rate-limit overrides and alert rules from the CLI', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-cli-limits-'));
  const env = { TOLLGATE_DB: join(dir, 't.db'), TOLLGATE_SIGNUP_CREDITS: '0' };
  try {
    const created = await runCli(['accounts', 'create', '--name', 'Ops', '--json'], env);
    assert.equal(created.code, 0, created.stderr);
    const { id, default_project_id: project } = JSON.parse(created.stdout) as { id: string; default_project_id: string };
    assert.equal((await runCli(['tiers', 'set', '--account', id, '--tier', 'tier-9'], env)).code, 2);
    const tier = await runCli(['tiers', 'set', '--account', id, '--tier', 'tier-2', '--json'], env);
    assert.deepEqual(JSON.parse(tier.stdout), { account_id: id, tier: 'tier-2' });
    const rl = await runCli(['rate-limits', 'set', '--project', project, '--model', 'gpt-4o', '--rpm', '7', '--json'], env);
    assert.deepEqual(JSON.parse(rl.stdout), { project_id: project, family: 'gpt-4o', rpm: 7, tpm: null, rpd: null });
    const alert = await runCli(['alerts', 'add', '--account', id, '--kind', 'low_balance', '--params', '{"threshold":"2"}',
      '--webhook', 'http://127.0.0.1:9/hook', '--json'], env);
    assert.equal(alert.code, 0, alert.stderr);
    const rule = JSON.parse(alert.stdout) as { id: string; channels: Array<{ secret?: string }> };
    assert.ok((rule.channels[0]?.secret ?? '').length >= 16, 'the webhook secret is shown once at creation');
    const listed = JSON.parse((await runCli(['alerts', 'list', '--account', id, '--json'], env)).stdout) as Array<{ channels: Array<{ secret?: string }> }>;
    assert.equal(listed.length, 1);
    assert.equal(listed[0]!.channels[0]!.secret, undefined, 'and never again');
    const bad = await runCli(['alerts', 'add', '--account', id, '--kind', 'low_balance', '--params', '{"threshold":"x"}', '--email', 'a@b.co'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /threshold/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
