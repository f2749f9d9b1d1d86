// `tollgate demo` as a newcomer runs it: a child process, a printed key and curl line, simulated answers marked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { cliCommand } from '../../test/support/cli-command.js';

test('demo prints a working key and every simulated answer is marked as simulated', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-demo-'));
  const child = spawn(process.execPath, [...cliCommand(), 'demo', '--port', '0'], {
    cwd: new URL('../..', import.meta.url).pathname,
    env: { ...process.env, TOLLGATE_DB: join(dir, 'demo.db'), TOLLGATE_LOG_LEVEL: 'error', OPENAI_API_KEY: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`demo did not print its key: ${out}`)), 20_000);
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('Press Ctrl+C')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await ready;
    const key = /key:\s+(tg-[0-9A-Za-z]+)/.exec(out)?.[1];
    const base = /gateway:\s+(http:\/\/\S+)/.exec(out)?.[1];
    assert.ok(key && base, out);
    assert.match(out, /curl -s http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions/);
    const res = await fetch(`${base}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello!' }] }),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-tollgate-simulated'), 'true');
    const body = (await res.json()) as { choices: Array<{ message: { content: string } }> };
    assert.match(body.choices[0]!.message.content, /simulated/i);
    assert.ok(Number(res.headers.get('x-tollgate-cost')) > 0);
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
    rmSync(dir, { recursive: true, force: true });
  }
});
