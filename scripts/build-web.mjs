#!/usr/bin/env node
// Builds the dashboard (web/) into dist/web with esbuild: one hashed JS bundle and one hashed stylesheet, and an
// index.html pointing at them. Run by `npm run build` (and so by `npm install`).
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = `${root}dist/web`;
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await build({
  entryPoints: [`${root}web/src/main.tsx`, `${root}web/src/styles.css`],
  bundle: true, minify: true, format: 'esm', target: 'es2022', jsx: 'automatic', jsxImportSource: 'preact',
  outdir: out, entryNames: '[name]-[hash]', metafile: true, logLevel: 'warning', legalComments: 'none',
});
const outputs = Object.keys(result.metafile.outputs).map((f) => basename(f));
const js = outputs.find((f) => f.startsWith('main-') && f.endsWith('.js'));
const css = outputs.find((f) => f.startsWith('styles-') && f.endsWith('.css'));
if (!js || !css) throw new Error(`dashboard build: missing outputs in ${outputs.join(', ')}`);
writeFileSync(`${out}/index.html`, readFileSync(`${root}web/index.html`, 'utf8').replace('%JS%', js).replace('%CSS%', css));
console.log(`dashboard built: dist/web/${js}, dist/web/${css}`);
