import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWrkOutput, wrkScript } from './load-wrk.js';

test('the Lua script posts the body with the key and reports in one JSON line', () => {
  const script = wrkScript('{"model":"m","messages":[]}', 'Bearer sk-1');
  assert.match(script, /wrk\.method = "POST"/);
  assert.match(script, /wrk\.body = \[==\[\{"model":"m","messages":\[\]\}\]==\]/);
  assert.match(script, /wrk\.headers\["Authorization"\] = \[==\[Bearer sk-1\]==\]/);
  assert.match(script, /done = function\(summary, latency, requests\)/);
  assert.throws(() => wrkScript('x]==]y', 'k'));
});

test('wrk output is read from the done() line: rate, percentiles and every kind of error', () => {
  const output = [
    'Running 10s test @ http://127.0.0.1:1/v1/chat/completions',
    '  1 threads and 32 connections',
    'WRK_JSON {"duration_us":10000000,"requests":52000,"connect":0,"read":1,"write":0,"status":3,"timeout":2,"p50_us":1500,"p99_us":4200}',
    'Requests/sec:   5200.00',
  ].join('\n');
  const r = parseWrkOutput(output, 32);
  assert.equal(r.tool, 'wrk');
  assert.equal(r.requests, 52000);
  assert.equal(r.rps, 5200);
  assert.equal(r.errors, 6);
  assert.equal(r.p50Ms, 1.5);
  assert.equal(r.p99Ms, 4.2);
  assert.throws(() => parseWrkOutput('Requests/sec: 1', 1), /no result line/);
});
