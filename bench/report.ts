// Renders bench results as markdown: absolute figures per target and scenario, then Tollgate against the bare
// proxy (the practical ceiling) with the issue's targets, then any CPU profile summaries.
import type { BenchResults, Cell } from './bench.js';
import { renderProfileSummary } from './profile-summary.js';
import type { ScenarioName } from './scenarios.js';
import { TARGET_LABELS, type TargetName } from './targets.js';
import { deltaMs, fmt, pct } from './stats.js';

/** The issue's goals: Tollgate req/s as a share of the bare proxy's, and latency it may add at a fixed rate. */
export const GOALS = {
  rpsShare: { json: 0.5, stream: 0.4 } satisfies Record<ScenarioName, number>,
  addedP50Ms: 0.5,
};

export interface Comparison {
  scenario: ScenarioName;
  rpsShare: number;
  rpsGoal: number;
  cpuRatio: number;
  addedP50Ms: number;
  addedP99Ms: number;
  ttfbDeltaMs: number;
  rpsMet: boolean;
  latencyMet: boolean;
}

function cell(results: BenchResults, target: TargetName, scenario: ScenarioName): Cell | undefined {
  return results.cells.find((c) => c.target === target && c.scenario === scenario);
}

/** Tollgate against the bare proxy, per scenario where both ran. */
export function compare(results: BenchResults): Comparison[] {
  const out: Comparison[] = [];
  for (const scenario of results.options.scenarios) {
    const t = cell(results, 'tollgate', scenario);
    const b = cell(results, 'bare-proxy', scenario);
    if (!t || !b) continue;
    const rpsShare = t.load.rps / b.load.rps;
    const addedP50Ms = t.fixed.p50Ms - b.fixed.p50Ms;
    out.push({
      scenario, rpsShare, rpsGoal: GOALS.rpsShare[scenario],
      cpuRatio: t.serverCpuUsPerRequest / b.serverCpuUsPerRequest,
      addedP50Ms, addedP99Ms: t.fixed.p99Ms - b.fixed.p99Ms,
      ttfbDeltaMs: t.fixed.ttfbP50Ms - b.fixed.ttfbP50Ms,
      rpsMet: rpsShare >= GOALS.rpsShare[scenario],
      latencyMet: addedP50Ms <= GOALS.addedP50Ms,
    });
  }
  return out;
}

export function renderReport(results: BenchResults): string {
  const o = results.options;
  const lines: string[] = [
    `## Tollgate bench — ${results.date}`,
    '',
    `Machine: ${results.machine.cpu}, ${results.machine.cores} cores, Linux ${results.machine.kernel}, Node ${results.machine.node}.`,
    `Closed loop: ${o.loadgen}${o.loadgen === 'wrk' ? ' (1 thread)' : ' (undici)'}, ${o.connections} keep-alive connections, ` +
      `${o.warmupS} s warm-up excluded, then ${o.repeat} measured windows of ${o.durationS} s, the fastest kept (all listed below). Fixed rate: ${o.rate} req/s open loop (node/undici), ` +
      `${o.rateWarmupS} s warm-up + ${o.rateDurationS} s measured. Gateway run from ${o.gateway === 'dist' ? 'dist/ (tsc build)' : 'src/ through tsx'}.`,
    `Placement: ${results.placement}`,
    '',
    '| target | scenario | req/s | server CPU µs/req | server core use | disk KB/req | p50 ms | p99 ms | errors | @' +
      `${o.rate}/s p50 ms | @${o.rate}/s p99 ms | @${o.rate}/s TTFB p50 ms | core0 / core1 busy | unattributed |`,
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const c of results.cells) {
    lines.push(`| ${TARGET_LABELS[c.target]} | ${c.scenario} | ${fmt(c.load.rps)} | ${fmt(c.serverCpuUsPerRequest)} | ` +
      `${pct(c.serverCpuShare, 0)} | ${fmt(c.serverDiskBytesPerRequest / 1024, 1)} | ${fmt(c.load.p50Ms, 2)} | ${fmt(c.load.p99Ms, 2)} | ${c.load.errors + c.fixed.errors} | ` +
      `${fmt(c.fixed.p50Ms, 3)} | ${fmt(c.fixed.p99Ms, 3)} | ${fmt(c.fixed.ttfbP50Ms, 3)} | ` +
      `${pct(c.cores['cpu0'], 0)} / ${pct(c.cores['cpu1'], 0)} | ${pct(c.unattributed, 0)} |`);
  }
  lines.push('');
  if (results.cells.some((c) => c.rpsRuns.length > 1)) {
    lines.push(`req/s of every window: ${results.cells.map((c) =>
      `${c.target}/${c.scenario} ${c.rpsRuns.map((r) => fmt(r)).join(' · ')}`).join('; ')}.`, '');
  }
  const warnings = bottleneckWarnings(results);
  if (warnings.length > 0) lines.push(...warnings.map((w) => `> ${w}`), '');

  const comparisons = compare(results);
  if (comparisons.length > 0) {
    lines.push(
      '### Tollgate against the bare undici proxy',
      '',
      `| scenario | req/s share (goal) | CPU/req ratio | added p50 @${o.rate}/s (goal ≤ ${GOALS.addedP50Ms} ms) | added p99 @${o.rate}/s | TTFB p50 delta | verdict |`,
      '|---|---:|---:|---:|---:|---:|---|',
    );
    for (const c of comparisons) {
      const verdict = [c.rpsMet ? 'req/s met' : 'req/s MISSED', c.latencyMet ? 'latency met' : 'latency MISSED'].join(', ');
      lines.push(`| ${c.scenario} | ${pct(c.rpsShare)} (≥ ${pct(c.rpsGoal, 0)}) | ${fmt(c.cpuRatio, 2)}× | ${deltaMs(c.addedP50Ms, 3)} | ` +
        `${deltaMs(c.addedP99Ms, 3)} | ${deltaMs(c.ttfbDeltaMs, 3)} | ${verdict} |`);
    }
    lines.push('');
  }
  const journal = results.cells.filter((c) => c.postingsPerCommit !== undefined);
  if (journal.length > 0) {
    lines.push(`Tollgate group commit under closed-loop load: ${journal.map((c) =>
      `${fmt(c.postingsPerCommit, 1)} postings per SQLite commit (${c.scenario})`).join(', ')}; a request makes two (hold, settlement).`, '');
  }
  const metered = results.cells.filter((c) => c.metered !== undefined);
  for (const { scenario, metered: m } of metered) {
    lines.push(`Metering check (Tollgate, ${scenario}, whole run): ${m!.usageRecords} usage records written (${m!.ok} ok, ` +
      `${m!.otherStatus} other), ${m!.openHolds} holds left open, ${m!.costPico} pico-credits charged.`);
  }
  if (metered.length > 0) lines.push('');
  for (const p of results.profiles) {
    lines.push(renderProfileSummary(p.summary, `CPU profile: Tollgate, ${p.scenario} (${p.file})`));
  }
  return lines.join('\n');
}

/** Flags windows where the server under test was not what limited throughput. */
export function bottleneckWarnings(results: BenchResults): string[] {
  const out: string[] = [];
  for (const c of results.cells) {
    if (c.load.errors > 0 || c.fixed.errors > 0) {
      out.push(`${TARGET_LABELS[c.target]} / ${c.scenario}: ${c.load.errors + c.fixed.errors} failed requests — figures are suspect.`);
    }
    if (c.backgroundBefore >= 0.1 || c.unattributed >= 0.1) {
      out.push(`${TARGET_LABELS[c.target]} / ${c.scenario}: other load on the machine — ${pct(c.backgroundBefore, 0)} of a core ` +
        `busy just before the window, ${pct(c.unattributed, 0)} of all cores unattributed during it (other processes or ` +
        'kernel network work): figures are noisier than usual.');
    }
    if (!results.options.pin) continue;
    const side = c.cores['cpu1'] ?? 0;
    if (c.serverCpuShare < 0.9 && side > 0.9) {
      out.push(`${TARGET_LABELS[c.target]} / ${c.scenario}: the server used only ${pct(c.serverCpuShare, 0)} of its core while ` +
        `core 1 (load generator${c.target === 'upstream' ? '' : ' + fake upstream'}) was ${pct(side, 0)} busy: ` +
        'the load side limited this req/s figure, so it understates the server.');
    }
  }
  return out;
}
