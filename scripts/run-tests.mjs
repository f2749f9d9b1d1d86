#!/usr/bin/env node
// Runs every *.test.ts under src/, test/ and bench/ with node's test runner (TypeScript through tsx), then the
// end-to-end suite (test/e2e/) a second time against PostgreSQL, and prints one combined closing line.
// Usage: node scripts/run-tests.mjs [path-substring ...]   filters the files by substring
//        TOLLGATE_TEST_STORES=sqlite|postgres|sqlite,postgres (default both) picks the store passes.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);
const stores = (process.env.TOLLGATE_TEST_STORES ?? 'sqlite,postgres').split(',').map((s) => s.trim()).filter(Boolean);

function collect(dir, out) {
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries) {
    if (name === 'node_modules') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) collect(full, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, full));
  }
  return out;
}

const all = ['src', 'test', 'bench'].flatMap((dir) => collect(join(root, dir), [])).sort()
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)));
if (all.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

function run(files, env, label) {
  return new Promise((resolve) => {
    console.log(`\n=== ${label}: ${files.length} test files ===\n`);
    const child = spawn(process.execPath, [
      '--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files,
    ], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    const counts = { pass: 0, fail: 0, skipped: 0, todo: 0, cancelled: 0 };
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      buffered += chunk.toString();
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const m = /^ℹ (pass|fail|skipped|todo|cancelled) (\d+)$/.exec(line.trim());
        if (m) counts[m[1]] = Number(m[2]);
      }
    });
    child.on('close', (code) => resolve({ code: code ?? 1, counts }));
  });
}

// The CLI tests start `tollgate` many times: compile it once here (about 2 s) so they run the JavaScript, which
// starts in half the time of the TypeScript through tsx. Compiled from this very tree, so never stale.
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const built = await new Promise((resolve) => {
  spawn(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' }).on('close', (code) => resolve(code === 0));
});
if (!built) {
  console.error('tsc -p tsconfig.build.json failed: the CLI cannot be built for the tests');
  process.exit(1);
}
process.env.TOLLGATE_TEST_CLI = 'dist';

const results = [];
if (stores.includes('sqlite')) results.push(await run(all, { TOLLGATE_TEST_STORE: 'sqlite' }, 'all tests, SQLite store'));
const e2e = all.filter((f) => f.startsWith('test/e2e/'));
if (stores.includes('postgres') && e2e.length > 0) {
  results.push(await run(e2e, { TOLLGATE_TEST_STORE: 'postgres' }, 'end-to-end tests again, PostgreSQL store'));
}
const total = results.reduce((t, r) => {
  for (const k of Object.keys(t)) t[k] += r.counts[k];
  return t;
}, { pass: 0, fail: 0, skipped: 0, todo: 0, cancelled: 0 });
const failed = results.some((r) => r.code !== 0);
console.log(`\ntests: ${total.pass} passed, ${total.fail + total.cancelled} failed, ${total.skipped} skipped`);
process.exit(failed ? 1 : 0);
