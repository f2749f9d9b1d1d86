import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coreBusy, parseProcStatCpuTicks, processCpuMicros, type CoreTimes } from './cpu.js';

test('utime + stime are read after the command name, even one with spaces and parens', () => {
  const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 731 69 0 0 20 0 11 0 123 456 789';
  assert.equal(parseProcStatCpuTicks(stat), 800);
});

test('this process has a CPU time that grows as it works', () => {
  const before = processCpuMicros(process.pid);
  const until = performance.now() + 50;
  let x = 0;
  while (performance.now() < until) x += Math.sqrt(x + 1);
  assert.ok(x > 0);
  assert.ok(processCpuMicros(process.pid) > before);
});

test('core busy share is the busy delta over the total delta', () => {
  const before = new Map<string, CoreTimes>([['cpu0', { busy: 100, total: 1000 }], ['cpu1', { busy: 0, total: 1000 }]]);
  const after = new Map<string, CoreTimes>([['cpu0', { busy: 190, total: 1100 }], ['cpu1', { busy: 25, total: 1100 }]]);
  assert.deepEqual(coreBusy(before, after), { cpu0: 0.9, cpu1: 0.25 });
});
