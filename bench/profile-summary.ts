// Reads a V8 .cpuprofile (node --cpu-prof) and aggregates where the time went: self time by function and by area
// (Tollgate folder, npm package, Node internal module, GC), and inclusive time of Tollgate's own functions.
// CLI: node --import tsx bench/profile-summary.ts FILE.cpuprofile [--top N]
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionTime {
  name: string;
  location: string;
  area: string;
  ms: number;
  /** Share of the busy (non-idle) time. */
  share: number;
}

export interface ProfileSummary {
  /** Profiled wall time, ms. */
  totalMs: number;
  /** Time the thread was idle (waiting in the event loop), ms. */
  idleMs: number;
  busyMs: number;
  samples: number;
  topSelf: FunctionTime[];
  areas: Array<{ area: string; ms: number; share: number }>;
  /** Inclusive time of functions in the repository's src/ (a function's own time plus everything it called). */
  topInclusive: FunctionTime[];
}

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/+$/, '');

/** Where a frame belongs: a src/ folder, an npm package, a Node internal module, or a V8 pseudo-frame. */
export function areaOf(functionName: string, url: string, root = REPO_ROOT): string {
  if (url === '') {
    if (functionName === '(garbage collector)') return 'V8 garbage collector';
    if (functionName === '(program)') return 'V8/native (program)';
    if (functionName === '(idle)') return '(idle)';
    return 'V8 builtins / native';
  }
  if (url.startsWith('node:')) {
    const path = url.slice('node:'.length).replace(/^internal\//, '');
    return `node:${path.split('/')[0]!}`;
  }
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = file.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = file.slice(nm + '/node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const rel = relative(root, file);
  if (!rel.startsWith('..')) return rel.split('/').slice(0, -1).join('/') || rel;
  return file;
}

function location(url: string, line: number, column: number, root: string): string {
  if (url === '') return '';
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = file.lastIndexOf('/node_modules/');
  const shown = nm >= 0 ? file.slice(nm + 1) : file.startsWith(root) ? relative(root, file) : file;
  // tsx emits each module on one line: the column is then what tells two functions of a file apart.
  return line === 0 && column > 0 ? `${shown}:1:${column + 1}` : `${shown}:${line + 1}`;
}

export interface SummaryOptions {
  top?: number;
  root?: string;
  /** Only samples taken in [fromUs, toUs) on the profile's clock (CLOCK_MONOTONIC µs, as process.hrtime). */
  fromUs?: number;
  toUs?: number;
}

export function summarizeProfile(profile: CpuProfile, opts: SummaryOptions = {}): ProfileSummary {
  const root = opts.root ?? REPO_ROOT;
  const top = opts.top ?? 25;
  const byId = new Map<number, CpuProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  // Tollgate's own code: src/ (run through tsx) or dist/ (the compiled build).
  const ownPrefixes = ['src', 'dist'].flatMap((dir) => [`${pathToFileURL(join(root, dir)).href}/`, `${join(root, dir)}/`]);
  const keyOf = (n: CpuProfileNode) =>
    `${n.callFrame.functionName}\u0000${n.callFrame.url}\u0000${n.callFrame.lineNumber}\u0000${n.callFrame.columnNumber}`;
  const fromUs = opts.fromUs ?? Number.NEGATIVE_INFINITY;
  const toUs = opts.toUs ?? Number.POSITIVE_INFINITY;
  let sampleAt = profile.startTime;
  let counted = 0;
  const self = new Map<string, { node: CpuProfileNode; us: number }>();
  const inclusive = new Map<string, { node: CpuProfileNode; us: number }>();
  const areas = new Map<string, number>();
  let idleUs = 0;
  let totalUs = 0;
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    sampleAt += timeDeltas[i] ?? 0;
    if (sampleAt < fromUs || sampleAt >= toUs) continue;
    // A sample stands for the interval until the next one (V8's timeDeltas[i] leads up to sample i).
    const us = Math.max(0, timeDeltas[i + 1] ?? 0);
    const node = byId.get(samples[i]!);
    if (!node) continue;
    counted++;
    totalUs += us;
    const { functionName, url } = node.callFrame;
    if (functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const key = keyOf(node);
    const s = self.get(key) ?? { node, us: 0 };
    s.us += us;
    self.set(key, s);
    const area = areaOf(functionName, url, root);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const seen = new Set<string>();
    for (let at: number | undefined = node.id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!;
      const frameUrl = frame.callFrame.url;
      if (!ownPrefixes.some((prefix) => frameUrl.startsWith(prefix))) continue;
      const k = keyOf(frame);
      if (seen.has(k)) continue;
      seen.add(k);
      const inc = inclusive.get(k) ?? { node: frame, us: 0 };
      inc.us += us;
      inclusive.set(k, inc);
    }
  }
  const busyUs = totalUs - idleUs;
  const toRow = ({ node, us }: { node: CpuProfileNode; us: number }): FunctionTime => ({
    name: node.callFrame.functionName || '(anonymous)',
    location: location(node.callFrame.url, node.callFrame.lineNumber, node.callFrame.columnNumber, root),
    area: areaOf(node.callFrame.functionName, node.callFrame.url, root),
    ms: us / 1000,
    share: busyUs > 0 ? us / busyUs : 0,
  });
  return {
    totalMs: totalUs / 1000, idleMs: idleUs / 1000, busyMs: busyUs / 1000, samples: counted,
    topSelf: [...self.values()].sort((a, b) => b.us - a.us).slice(0, top).map(toRow),
    areas: [...areas].sort((a, b) => b[1] - a[1]).map(([area, us]) => ({ area, ms: us / 1000, share: busyUs > 0 ? us / busyUs : 0 })),
    topInclusive: [...inclusive.values()].sort((a, b) => b.us - a.us).slice(0, top).map(toRow),
  };
}

export function renderProfileSummary(s: ProfileSummary, title: string): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const lines = [
    `#### ${title}`,
    '',
    `${s.samples} samples over ${(s.totalMs / 1000).toFixed(1)} s; busy ${(s.busyMs / 1000).toFixed(1)} s ` +
      `(${pct(s.totalMs > 0 ? s.busyMs / s.totalMs : 0)}), idle ${(s.idleMs / 1000).toFixed(1)} s. Shares below are of busy time.`,
    '',
    '| area | self ms | share |',
    '|---|---:|---:|',
    ...s.areas.slice(0, 15).map((a) => `| ${a.area} | ${a.ms.toFixed(0)} | ${pct(a.share)} |`),
    '',
    '| top self time: function | where | self ms | share |',
    '|---|---|---:|---:|',
    ...s.topSelf.map((f) => `| ${f.name} | ${f.location} | ${f.ms.toFixed(0)} | ${pct(f.share)} |`),
    '',
    '| Tollgate functions, inclusive time | where | total ms | share |',
    '|---|---|---:|---:|',
    ...s.topInclusive.map((f) => `| ${f.name} | ${f.location} | ${f.ms.toFixed(0)} | ${pct(f.share)} |`),
    '',
  ];
  return lines.join('\n');
}

function main(): void {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string' } } });
  if (positionals.length === 0) throw new Error('usage: profile-summary.ts FILE.cpuprofile [--top N]');
  for (const file of positionals) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    process.stdout.write(`${renderProfileSummary(summarizeProfile(profile, { top: Number(values.top ?? 25) }), file)}\n`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
