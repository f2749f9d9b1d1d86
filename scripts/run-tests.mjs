#!/usr/bin/env node
// Runs every *.test.ts under src/, test/ and bench/ with node's test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [path-substring ...]  — filters the files by substring.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const roots = ['src', 'test', 'bench'].map((dir) => join(root, dir));
const filters = process.argv.slice(2);

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

const files = roots.flatMap((dir) => collect(dir, [])).sort()
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const result = spawnSync(process.execPath, [
  '--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files,
], { cwd: root, stdio: 'inherit', env: process.env });
process.exit(result.status ?? 1);
