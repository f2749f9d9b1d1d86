// Smoke test of the bench harness itself (not a benchmark): every target and scenario runs for a fraction of a
// second with the pure-node load generator, and the figures must come out as real, parseable numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBench } from './bench.js';
import { compare, renderReport } from './report.js';

test('every target answers both scenarios and yields finite figures', { timeout: 60_000 }, async (t) => {
  const lines: string[] = [];
  const workDir = mkdtempSync(join(tmpdir(), 'tollgate-bench-test-'));
  try {
    const results = await runBench({
      targets: ['upstream', 'tollgate', 'bare-proxy'], scenarios: ['json', 'stream'],
      warmupS: 0.1, durationS: 0.3, repeat: 1, connections: 4, rate: 100, rateWarmupS: 0.05, rateDurationS: 0.2,
      loadgen: 'node', pin: false, gateway: 'tsx', profile: false, quietWaitS: 0, workDir, log: (line) => lines.push(line),
    });
    assert.equal(results.cells.length, 6);
    for (const c of results.cells) {
      const what = `${c.target}/${c.scenario}`;
      assert.equal(c.load.errors, 0, `${what}: closed-loop errors`);
      assert.equal(c.fixed.errors, 0, `${what}: fixed-rate errors`);
      assert.ok(c.load.requests >= 3, `${what}: only ${c.load.requests} requests`); // a loaded CI box may manage only a few in 0.3 s
      assert.ok(Number.isFinite(c.load.rps) && c.load.rps > 0, `${what}: rps ${c.load.rps}`);
      assert.ok(c.load.p50Ms > 0 && c.load.p99Ms >= c.load.p50Ms, `${what}: p50 ${c.load.p50Ms}, p99 ${c.load.p99Ms}`);
      assert.ok(c.serverCpuUsPerRequest > 0 && Number.isFinite(c.serverCpuUsPerRequest), `${what}: CPU/req ${c.serverCpuUsPerRequest}`);
      assert.equal(c.fixed.ok, c.fixed.sent, `${what}: fixed-rate answers`);
      assert.ok(c.fixed.ttfbP50Ms > 0 && c.fixed.ttfbP50Ms <= c.fixed.p99Ms, `${what}: TTFB ${c.fixed.ttfbP50Ms}`);
      if (c.target !== 'tollgate') {
        assert.equal(c.metered, undefined);
        continue;
      }
      // Tollgate metered at least every request the load generators counted (warm-ups add more).
      const served = c.load.requests + c.fixed.sent;
      assert.ok(c.metered, `${what}: no metering summary`);
      assert.ok(c.metered.ok >= served, `${what}: metered ${c.metered.ok} < served ${served}`);
      assert.equal(c.metered.openHolds, 0);
      assert.ok(c.postingsPerCommit !== undefined && c.postingsPerCommit >= 1, `${what}: postings per commit`);
    }

    const comparisons = compare(results);
    assert.deepEqual(comparisons.map((c) => c.scenario), ['json', 'stream']);
    for (const c of comparisons) assert.ok(Number.isFinite(c.rpsShare) && Number.isFinite(c.addedP50Ms));
    const report = renderReport(results);
    assert.match(report, /\| Tollgate \(metered\) \| stream \| [\d,]+ \|/);
    assert.match(report, /Tollgate against the bare undici proxy/);
  } catch (err) {
    t.diagnostic(lines.join('\n'));
    throw err;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
});
