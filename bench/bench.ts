// Runs the side-by-side benchmark: for each target and scenario, a closed-loop saturation run (req/s, latency,
// CPU per request of the server under test) and an open-loop run at a fixed rate (latency, time to first byte).
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import {
  busyMicros, coreBusy, coreTimes, processCpuMicros, processWriteBytes, selfAndChildrenCpuMicros, waitForQuiet,
} from './cpu.js';
import type { MeteredSummary } from './gateway-setup.js';
import { fixedRate, type FixedRateResult } from './fixed-rate.js';
import { nodeClosedLoop, REQUEST_TIMEOUT_MS } from './load-node.js';
import type { ClosedLoopSpec, LoadResult } from './load-types.js';
import { wrkClosedLoop } from './load-wrk.js';
import { summarizeProfile, type CpuProfile, type ProfileSummary } from './profile-summary.js';
import { checkAnswer, scenarioBody, type ScenarioName } from './scenarios.js';
import { startTarget, startUpstream, type RunningTarget, type TargetName } from './targets.js';
import type { Service } from './processes.js';

export interface BenchOptions {
  targets: TargetName[];
  scenarios: ScenarioName[];
  warmupS: number;
  durationS: number;
  /** Measured closed-loop windows per target and scenario (after one warm-up); the fastest is reported. */
  repeat: number;
  connections: number;
  rate: number;
  rateWarmupS: number;
  rateDurationS: number;
  loadgen: 'wrk' | 'node';
  /** Server under test on core 0; load generator, fake upstream (behind a proxy) and this process on core 1. */
  pin: boolean;
  gateway: 'tsx' | 'dist';
  /** Also profile Tollgate under the closed-loop load of each scenario. */
  profile: boolean;
  /** Before each measured window, wait up to this long for other processes to leave the cores idle. */
  quietWaitS: number;
  workDir: string;
  log(line: string): void;
}

export interface Cell {
  target: TargetName;
  scenario: ScenarioName;
  load: LoadResult;
  /** utime+stime of the server under test over the window, per completed request. */
  serverCpuUsPerRequest: number;
  /** Bytes the server caused to be written to disk, per completed request (SQLite WAL and database pages). */
  serverDiskBytesPerRequest: number;
  /** Server CPU time / window wall time (1.0 = one core fully busy). */
  serverCpuShare: number;
  /** The fake upstream's CPU per request when it ran behind a proxy. */
  upstreamCpuUsPerRequest: number | undefined;
  /** How busy each core was during the window. */
  cores: Record<string, number>;
  /** Busiest core just before the window, with the targets idle: load from other processes on the machine. */
  backgroundBefore: number;
  /**
   * Busy core time in the window not used by the server, the upstream, the load generator or the bench itself
   * (other processes, and kernel softirq work for loopback), as a share of all cores.
   */
  unattributed: number;
  /** Tollgate only: journal postings per SQLite commit in the window (a request makes two: hold, settlement). */
  postingsPerCommit: number | undefined;
  fixed: FixedRateResult;
  /** req/s of every measured closed-loop window; the figures above are from the fastest. */
  rpsRuns: number[];
  /** Tollgate only: what it wrote to its SQLite file over the whole run (warm-ups included), read after it stopped. */
  metered?: Omit<MeteredSummary, 'costPico'> & { costPico: string };
}

export interface BenchResults {
  date: string;
  machine: { cpu: string; cores: number; node: string; kernel: string };
  options: Omit<BenchOptions, 'log' | 'workDir'>;
  placement: string;
  cells: Cell[];
  profiles: Array<{ scenario: ScenarioName; file: string; summary: ProfileSummary }>;
}

const SERVER_CPU = 0;
const SIDE_CPU = 1;

export function placementNote(opts: Pick<BenchOptions, 'pin' | 'loadgen'>): string {
  if (!opts.pin) return 'not pinned: every process shared all cores';
  return `server under test pinned to core ${SERVER_CPU} (taskset -c ${SERVER_CPU}); the load generator ` +
    `(${opts.loadgen === 'wrk' ? 'wrk, 1 thread' : 'node/undici, in the bench process'}), the fixed-rate generator, ` +
    `the bench process and — for the two proxies — the fake upstream all on core ${SIDE_CPU}. ` +
    'For the "fake upstream (direct)" target the upstream itself is the server under test, on core 0.';
}

export async function runBench(opts: BenchOptions): Promise<BenchResults> {
  const cells: Cell[] = [];
  const profiles: BenchResults['profiles'] = [];
  // One fake upstream on the side core serves both proxies; started on first use.
  let side: Promise<Service> | undefined;
  const upstream = () => (side ??= startUpstream(opts.pin ? SIDE_CPU : undefined));
  let run = 0;
  try {
    // A fresh server (and, for Tollgate, a fresh SQLite file) for every target and scenario, so no run inherits
    // another's database or heap.
    for (const name of opts.targets) {
      for (const scenario of opts.scenarios) {
        opts.log(`starting ${name} for ${scenario}`);
        const target = await startTarget(name, targetOptions(opts), run++, upstream);
        let cell: Cell | undefined;
        let summary: MeteredSummary | undefined;
        try {
          cell = await measure(target, scenario, opts);
        } finally {
          summary = await target.stop();
        }
        if (summary) {
          cell.metered = { ...summary, costPico: summary.costPico.toString() };
          opts.log(`  ${name} metered ${summary.usageRecords} requests (${summary.ok} ok, ${summary.otherStatus} other), ` +
            `${summary.openHolds} holds left open`);
        }
        cells.push(cell);
      }
    }
    if (opts.profile) {
      for (const scenario of opts.scenarios) profiles.push(await profileGateway(scenario, opts, run++, upstream));
    }
  } finally {
    if (side) await (await side).stop();
  }
  const cpu = cpus();
  return {
    date: new Date().toISOString(),
    machine: { cpu: cpu[0]?.model ?? 'unknown', cores: cpu.length, node: process.version, kernel: release() },
    options: {
      targets: opts.targets, scenarios: opts.scenarios, warmupS: opts.warmupS, durationS: opts.durationS, repeat: opts.repeat,
      connections: opts.connections, rate: opts.rate, rateWarmupS: opts.rateWarmupS, rateDurationS: opts.rateDurationS,
      loadgen: opts.loadgen, pin: opts.pin, gateway: opts.gateway, profile: opts.profile, quietWaitS: opts.quietWaitS,
    },
    placement: placementNote(opts),
    cells, profiles,
  };
}

function targetOptions(opts: BenchOptions, cpuProfileDir?: string) {
  return {
    serverCpu: opts.pin ? SERVER_CPU : undefined, sideCpu: opts.pin ? SIDE_CPU : undefined,
    workDir: opts.workDir, gateway: opts.gateway, cpuProfileDir,
  };
}

type WindowFigures = Omit<Cell, 'target' | 'scenario' | 'fixed' | 'metered' | 'rpsRuns'>;

async function measure(target: RunningTarget, scenario: ScenarioName, opts: BenchOptions): Promise<Cell> {
  const body = scenarioBody(scenario);
  await preflight(target, scenario, body);
  opts.log(`  ${target.name} / ${scenario}: closed loop, ${opts.connections} connections, ${opts.warmupS} s warm-up, ` +
    `then ${opts.repeat} × ${opts.durationS} s measured (${opts.loadgen}; the best window is kept)`);
  const windows: WindowFigures[] = [];
  for (let i = 0; i < opts.repeat; i++) {
    windows.push(await closedLoopWindow(target, body, i === 0 ? opts.warmupS : 0, opts));
  }
  // Other processes on a shared machine can only slow a window down: the fastest one is the least disturbed.
  const best = windows.reduce((a, b) => (b.load.rps > a.load.rps ? b : a));

  await waitForQuiet(Math.min(opts.quietWaitS, 30), 0.1, opts.log);
  opts.log(`  ${target.name} / ${scenario}: fixed rate ${opts.rate}/s, ${opts.rateWarmupS} s warm-up + ${opts.rateDurationS} s measured`);
  const fixed = await fixedRate({
    url: target.chatUrl, authorization: target.authorization, body, rate: opts.rate,
    warmupS: opts.rateWarmupS, durationS: opts.rateDurationS,
  });
  opts.log(`    p50 ${fixed.p50Ms.toFixed(3)} ms, p99 ${fixed.p99Ms.toFixed(3)} ms, TTFB p50 ${fixed.ttfbP50Ms.toFixed(3)} ms, ` +
    `${fixed.errors} errors`);
  return { target: target.name, scenario, ...best, rpsRuns: windows.map((w) => w.load.rps), fixed };
}

/** One closed-loop window (after `warmupS` of unmeasured load), with the CPU, disk and core readings around it. */
async function closedLoopWindow(target: RunningTarget, body: string, warmupS: number, opts: BenchOptions): Promise<WindowFigures> {
  const backgroundBefore = await waitForQuiet(opts.quietWaitS, 0.1, opts.log);
  const upstreamPid = target.upstream?.pid;
  const read = () => ({
    at: performance.now(),
    cpu: processCpuMicros(target.server.pid),
    disk: processWriteBytes(target.server.pid),
    upstream: upstreamPid === undefined ? 0 : processCpuMicros(upstreamPid),
    cores: coreTimes(),
    own: selfAndChildrenCpuMicros(),
    counters: target.counters?.(),
  });
  let before: ReturnType<typeof read> | undefined;
  let after: ReturnType<typeof read> | undefined;
  const spec: ClosedLoopSpec = {
    url: target.chatUrl, authorization: target.authorization, body, connections: opts.connections,
    warmupS, durationS: opts.durationS,
    onWindowStart() { before = read(); },
    onWindowEnd() { after = read(); },
  };
  const load = opts.loadgen === 'wrk'
    ? await wrkClosedLoop(spec, opts.workDir, opts.pin ? SIDE_CPU : undefined)
    : await nodeClosedLoop(spec);
  if (!before || !after) throw new Error('the load generator did not report its measured window');
  const windowUs = (after.at - before.at) * 1000;
  const requests = Math.max(1, load.requests);
  const serverCpu = after.cpu - before.cpu;
  const upstreamCpu = after.upstream - before.upstream;
  const accounted = serverCpu + upstreamCpu + (after.own.self - before.own.self) + (after.own.children - before.own.children);
  const figures: WindowFigures = {
    load,
    serverCpuUsPerRequest: serverCpu / requests,
    serverDiskBytesPerRequest: (after.disk - before.disk) / requests,
    serverCpuShare: windowUs > 0 ? serverCpu / windowUs : Number.NaN,
    upstreamCpuUsPerRequest: upstreamPid === undefined ? undefined : upstreamCpu / requests,
    cores: coreBusy(before.cores, after.cores),
    backgroundBefore,
    unattributed: Math.max(0, busyMicros(before.cores, after.cores) - accounted) / (windowUs * after.cores.size),
    postingsPerCommit: perCommit(before.counters, after.counters),
  };
  opts.log(`    ${load.rps.toFixed(0)} req/s, p50 ${load.p50Ms.toFixed(2)} ms, p99 ${load.p99Ms.toFixed(2)} ms, ` +
    `${figures.serverCpuUsPerRequest.toFixed(0)} µs CPU/req, ${(figures.serverDiskBytesPerRequest / 1024).toFixed(1)} KB disk/req, ` +
    `${load.errors} errors, ${(figures.unattributed * 100).toFixed(0)}% unattributed` +
    (figures.postingsPerCommit === undefined ? '' : `, ${figures.postingsPerCommit.toFixed(1)} postings per commit`));
  return figures;
}

/** One request before measuring: the target must answer the scenario completely and successfully. */
async function preflight(target: RunningTarget, scenario: ScenarioName, body: string): Promise<void> {
  const url = new URL(target.chatUrl);
  const pool = new Pool(url.origin);
  try {
    const res = await pool.request({
      method: 'POST', path: url.pathname, body, headersTimeout: REQUEST_TIMEOUT_MS, bodyTimeout: REQUEST_TIMEOUT_MS,
      headers: { 'content-type': 'application/json', authorization: target.authorization },
    });
    const text = await res.body.text();
    try {
      checkAnswer(scenario, res.statusCode, text);
    } catch (err) {
      throw new Error(`${target.name} / ${scenario}: ${(err as Error).message}\n${target.server.output()}`);
    }
  } finally {
    await pool.close();
  }
}

/** Tollgate under closed-loop load with --cpu-prof; the profile is written when it stops, then summarized. */
async function profileGateway(
  scenario: ScenarioName, opts: BenchOptions, run: number, upstream: () => Promise<Service>,
): Promise<BenchResults['profiles'][number]> {
  const dir = join(opts.workDir, `profile-${scenario}`);
  opts.log(`profiling tollgate / ${scenario}: ${opts.warmupS} s warm-up + ${opts.durationS} s profiled, closed loop, under --cpu-prof`);
  const target = await startTarget('tollgate', targetOptions(opts, dir), run, upstream);
  let fromUs = 0;
  let toUs = 0;
  try {
    const body = scenarioBody(scenario);
    await preflight(target, scenario, body);
    const spec: ClosedLoopSpec = {
      url: target.chatUrl, authorization: target.authorization, body, connections: opts.connections,
      warmupS: opts.warmupS, durationS: opts.durationS,
      // Only the measured window is summarized: start-up (module loading, tokenizer tables) and warm-up are left out.
      onWindowStart() { fromUs = Number(process.hrtime.bigint() / 1000n); },
      onWindowEnd() { toUs = Number(process.hrtime.bigint() / 1000n); },
    };
    if (opts.loadgen === 'wrk') await wrkClosedLoop(spec, opts.workDir, opts.pin ? SIDE_CPU : undefined);
    else await nodeClosedLoop(spec);
  } finally {
    await target.stop();
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no .cpuprofile written in ${dir}`);
  const path = join(dir, file);
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  return { scenario, file: path, summary: summarizeProfile(profile, { fromUs, toUs }) };
}

function perCommit(before: Record<string, number> | undefined, after: Record<string, number> | undefined): number | undefined {
  const delta = (name: string) => (after?.[name] ?? Number.NaN) - (before?.[name] ?? Number.NaN);
  const batches = delta('tollgate_journal_batches_total');
  const postings = delta('tollgate_journal_postings_total');
  return Number.isFinite(batches) && batches > 0 ? postings / batches : undefined;
}
