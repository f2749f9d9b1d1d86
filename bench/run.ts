// `npm run bench`: the side-by-side benchmark (fake upstream, Tollgate, bare proxy; JSON and streaming).
// Prints a markdown report and writes it, with the raw JSON, to bench/results/. Options: node --import tsx bench/run.ts --help
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runBench, type BenchOptions } from './bench.js';
import { wrkAvailable } from './load-wrk.js';
import { REPO_ROOT, pinSelf } from './processes.js';
import { compare, renderReport } from './report.js';
import { SCENARIOS, type ScenarioName } from './scenarios.js';
import { TARGETS, type TargetName } from './targets.js';

const HELP = `usage: npm run bench -- [options]
  --targets LIST       comma-separated: ${TARGETS.join(',')} (default: all)
  --scenarios LIST     comma-separated: ${SCENARIOS.join(',')} (default: all)
  --warmup S           closed-loop warm-up seconds, excluded (default 10)
  --duration S         closed-loop measured seconds per window (default 10)
  --repeat N           measured closed-loop windows per target and scenario; the fastest is kept (default 3)
  --connections N      closed-loop keep-alive connections (default 32)
  --rate N             fixed-rate requests per second (default 300)
  --rate-warmup S      fixed-rate warm-up seconds (default 2)
  --rate-duration S    fixed-rate measured seconds (default 10)
  --loadgen wrk|node   closed-loop generator (default wrk when installed, else node)
  --gateway tsx|dist   run Tollgate from src/ via tsx (default) or from dist/ (npm run build first)
  --profile on|off|auto  CPU-profile Tollgate under load (auto: when a goal is missed; default auto)
  --no-pin             do not pin processes to cores
  --quiet-wait S       before each window, wait up to S s for other processes to leave the cores idle (default 120)
`;

function list<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T[] {
  if (value === undefined) return [...allowed];
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) if (!allowed.includes(item as T)) throw new Error(`unknown ${what} ${item}; one of ${allowed.join(', ')}`);
  return items as T[];
}

function seconds(value: string | undefined, def: number, name: string): number {
  if (value === undefined) return def;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number of seconds`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      targets: { type: 'string' }, scenarios: { type: 'string' }, warmup: { type: 'string' }, duration: { type: 'string' }, repeat: { type: 'string' },
      connections: { type: 'string' }, rate: { type: 'string' }, 'rate-warmup': { type: 'string' }, 'rate-duration': { type: 'string' },
      loadgen: { type: 'string' }, gateway: { type: 'string' }, profile: { type: 'string' }, 'no-pin': { type: 'boolean' }, 'quiet-wait': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const haveWrk = await wrkAvailable();
  const loadgen = (values.loadgen ?? (haveWrk ? 'wrk' : 'node')) as 'wrk' | 'node';
  if (loadgen !== 'wrk' && loadgen !== 'node') throw new Error('--loadgen must be wrk or node');
  if (loadgen === 'wrk' && !haveWrk) throw new Error('wrk is not installed (apt-get install -y wrk), or pass --loadgen node');
  if (!haveWrk) process.stderr.write('bench: wrk not found, using the pure-node closed-loop generator (slower load side)\n');
  const profileMode = values.profile ?? 'auto';
  if (!['on', 'off', 'auto'].includes(profileMode)) throw new Error('--profile must be on, off or auto');
  const gateway = (values.gateway ?? 'tsx') as 'tsx' | 'dist';
  if (gateway !== 'tsx' && gateway !== 'dist') throw new Error('--gateway must be tsx or dist');

  let pin = values['no-pin'] !== true;
  if (pin && !(await pinSelf(1))) {
    process.stderr.write('bench: cannot pin with taskset (missing, or fewer than 2 cores); running unpinned\n');
    pin = false;
  }
  const workDir = mkdtempSync(join(tmpdir(), 'tollgate-bench-'));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const opts: BenchOptions = {
    targets: list<TargetName>(values.targets, TARGETS, 'target'),
    scenarios: list<ScenarioName>(values.scenarios, SCENARIOS, 'scenario'),
    warmupS: seconds(values.warmup, 10, 'warmup'),
    durationS: seconds(values.duration, 10, 'duration'),
    repeat: Math.max(1, Math.floor(Number(values.repeat ?? 3)) || 1),
    connections: Number(values.connections ?? 32),
    rate: Number(values.rate ?? 300),
    rateWarmupS: seconds(values['rate-warmup'], 2, 'rate-warmup'),
    rateDurationS: seconds(values['rate-duration'], 10, 'rate-duration'),
    loadgen, pin, gateway, profile: profileMode === 'on', quietWaitS: seconds(values['quiet-wait'], 120, 'quiet-wait'), workDir, log,
  };
  try {
    let results = await runBench(opts);
    const missed = compare(results).some((c) => !c.rpsMet || !c.latencyMet);
    if (profileMode === 'auto' && missed && opts.targets.includes('tollgate')) {
      log('a goal was missed: profiling Tollgate under load');
      const profiled = await runBench({ ...opts, targets: [], profile: true });
      results = { ...results, options: { ...results.options, profile: true }, profiles: profiled.profiles };
    }
    const outDir = join(REPO_ROOT, 'bench', 'results');
    mkdirSync(outDir, { recursive: true });
    const stamp = results.date.replace(/[:.]/g, '-');
    for (const p of results.profiles) {
      const kept = join(outDir, `${stamp}-tollgate-${p.scenario}.cpuprofile`);
      copyFileSync(p.file, kept);
      p.file = join('bench', 'results', `${stamp}-tollgate-${p.scenario}.cpuprofile`);
    }
    const finalReport = renderReport(results);
    writeFileSync(join(outDir, `${stamp}.md`), `${finalReport}\n`);
    writeFileSync(join(outDir, `${stamp}.json`), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(outDir, 'latest.md'), `${finalReport}\n`);
    process.stdout.write(`${finalReport}\n`);
    log(`written to ${join('bench', 'results', `${stamp}.md`)} (and .json)`);
    return 0;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().then((code) => { process.exitCode = code; }, (err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
