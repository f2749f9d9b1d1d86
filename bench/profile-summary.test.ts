import { test } from 'node:test';
import assert from 'node:assert/strict';
import { areaOf, summarizeProfile, type CpuProfile } from './profile-summary.js';

const ROOT = '/repo';

function frame(id: number, functionName: string, url: string, children: number[] = [], lineNumber = 0) {
  return { id, callFrame: { functionName, url, lineNumber, columnNumber: 0 }, children };
}

// root -> handle (src) -> commit (src) -> run (better-sqlite3); root -> (idle); root -> (garbage collector)
const profile: CpuProfile = {
  nodes: [
    frame(1, '(root)', '', [2, 5, 6]),
    frame(2, 'handle', 'file:///repo/src/services/metered-call.ts', [3], 10),
    frame(3, 'commit', 'file:///repo/src/services/wallet/journal.ts', [4], 20),
    frame(4, 'run', 'file:///repo/node_modules/better-sqlite3/lib/methods/run.js'),
    frame(5, '(idle)', ''),
    frame(6, '(garbage collector)', ''),
  ],
  startTime: 1_000_000,
  endTime: 1_000_000 + 7_000,
  // Each sample stands for the 1 ms up to the next one.
  samples: [4, 4, 3, 2, 5, 6, 4],
  timeDeltas: [0, 1000, 1000, 1000, 1000, 1000, 1000],
};

test('self time by function and by area, inclusive time for src/ functions, idle left out of the shares', () => {
  const s = summarizeProfile(profile, { root: ROOT });
  assert.equal(s.samples, 7);
  assert.equal(s.idleMs, 1);
  assert.equal(s.busyMs, 5, 'the last sample has no following interval');
  assert.deepEqual(s.topSelf.map((f) => [f.name, f.ms]), [['run', 2], ['commit', 1], ['handle', 1], ['(garbage collector)', 1]]);
  assert.equal(s.topSelf[0]!.share, 0.4);
  assert.deepEqual(s.areas.map((a) => [a.area, a.ms]), [
    ['better-sqlite3', 2], ['src/services/wallet', 1], ['src/services', 1], ['V8 garbage collector', 1],
  ]);
  assert.deepEqual(s.topInclusive.map((f) => [f.name, f.ms, f.location]), [
    ['handle', 4, 'src/services/metered-call.ts:11'], ['commit', 3, 'src/services/wallet/journal.ts:21'],
  ]);
});

test('a time window keeps only the samples taken inside it', () => {
  const s = summarizeProfile(profile, { root: ROOT, fromUs: 1_002_000, toUs: 1_004_000 });
  assert.equal(s.samples, 2);
  assert.deepEqual(s.topSelf.map((f) => f.name), ['commit', 'handle']);
});

test('areas: packages (scoped too), Node internals, V8 pseudo-frames, repository folders', () => {
  assert.equal(areaOf('f', 'file:///x/node_modules/@scope/pkg/lib/a.js', ROOT), '@scope/pkg');
  assert.equal(areaOf('f', 'node:internal/streams/readable', ROOT), 'node:streams');
  assert.equal(areaOf('f', 'node:_http_server', ROOT), 'node:_http_server');
  assert.equal(areaOf('(program)', '', ROOT), 'V8/native (program)');
  assert.equal(areaOf('stringify', '', ROOT), 'V8 builtins / native');
  assert.equal(areaOf('f', 'file:///repo/src/domain/metering/sse-meter.ts', ROOT), 'src/domain/metering');
});

test('compiled frames under dist/ count as Tollgate functions too; other files do not', () => {
  const compiled: CpuProfile = {
    nodes: [
      frame(1, '(root)', '', [2]),
      frame(2, 'handle', 'file:///repo/dist/services/metered-call.js', [3], 4),
      frame(3, 'helper', 'file:///repo/scripts/other.js', [4]),
      frame(4, 'run', 'file:///repo/node_modules/better-sqlite3/lib/methods/run.js'),
    ],
    startTime: 0, endTime: 3_000, samples: [4, 3, 4], timeDeltas: [0, 1000, 1000],
  };
  const s = summarizeProfile(compiled, { root: ROOT });
  assert.deepEqual(s.topInclusive.map((f) => [f.name, f.ms, f.location]), [['handle', 2, 'dist/services/metered-call.js:5']]);
});
