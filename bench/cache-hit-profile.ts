// Where a cache hit's time goes inside the gateway: one `tollgate serve` (SQLite, cache on for the account, free
// hits) under --cpu-prof, fed the same request at a fixed rate so every answer is a hit, then the CPU profile of the
// measured window summarised (self time by function and area, inclusive time of Tollgate's functions) and divided
// by the number of hits: µs of gateway CPU per hit. Standalone, bounded in time, 127.0.0.1 only.
// Run: node --import tsx bench/cache-hit-profile.ts [--scenario json|stream] [--rate 300] [--warmup 2] [--duration 10] [--top 25]
//        [--client raw|undici] [--gateway dist|tsx] [--latency-only] (no profiler) [--gateway-core 0|1]
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fixedRate } from './fixed-rate.js';
import { rawFixedRate } from './raw-fixed-rate.js';
import { prepareCacheBenchFiles } from './gateway-setup.js';
import { cacheBenchGateway, countingUpstream, parseGatewayBuild, prepareGatewayBuild } from './gateway-entry.js';
import { pinSelf, startService, type Service } from './processes.js';
import { renderProfileSummary, summarizeProfile, type CpuProfile } from './profile-summary.js';
import { checkAnswer, scenarioBody, SCENARIOS, type ScenarioName } from './scenarios.js';
import { fmt } from './stats.js';

const { values: opt } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'json' }, rate: { type: 'string', default: '300' },
    warmup: { type: 'string', default: '2' }, duration: { type: 'string', default: '10' }, top: { type: 'string', default: '25' },
    client: { type: 'string', default: 'raw' }, gateway: { type: 'string', default: 'dist' }, 'latency-only': { type: 'boolean', default: false }, 'gateway-core': { type: 'string', default: '0' },
  },
});
const scenario = opt.scenario as ScenarioName;
if (!SCENARIOS.includes(scenario)) throw new Error(`--scenario must be one of ${SCENARIOS.join(', ')}`);
const RATE = Number(opt.rate);
const WARMUP_S = Number(opt.warmup);
const DURATION_S = Number(opt.duration);
const UPSTREAM_KEY = 'sk-bench-upstream';
const GATEWAY_BUILD = parseGatewayBuild(opt.gateway);
const load = opt.client === 'undici' ? fixedRate : rawFixedRate;
const GATEWAY_CORE = Number(opt['gateway-core']);
const DEADLINE_MS = 60_000 + (WARMUP_S + DURATION_S) * 1000;

const workDir = mkdtempSync(join(tmpdir(), 'tollgate-hit-profile-'));
const services: Service[] = [];
const abort = setTimeout(() => {
  console.error('cache-hit-profile: past its deadline; stopping');
  void Promise.all(services.map((s) => s.stop())).finally(() => process.exit(2));
}, DEADLINE_MS);
abort.unref();

try {
  prepareGatewayBuild(GATEWAY_BUILD);
  const pin = await pinSelf(1);
  const { dbPath, tiersFile, key } = await prepareCacheBenchFiles(workDir);
  const upstream = await startService(countingUpstream(pin ? 1 : undefined, UPSTREAM_KEY));
  services.push(upstream);
  const profileDir = join(workDir, 'profile');
  const gateway = await startService(cacheBenchGateway({
    build: GATEWAY_BUILD, dbPath, tiersFile, upstreamUrl: upstream.url, upstreamKey: UPSTREAM_KEY, cpu: pin ? GATEWAY_CORE : undefined,
    nodeFlags: opt['latency-only'] ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir],
  }));
  services.push(gateway);
  const url = `${gateway.url}/v1/chat/completions`;
  const authorization = `Bearer ${key}`;
  const body = scenarioBody(scenario);
  for (let i = 0; i < 2; i++) {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body });
    checkAnswer(scenario, res.status, await res.text());
    if (i === 1 && res.headers.get('x-tollgate-cache') !== 'hit') throw new Error('the repeated request was not a hit');
  }
  let hits = 0;
  let fromUs = 0;
  let toUs = 0;
  // Warm-up first (not profiled), then the measured window, whose bounds are taken on the profile's clock.
  await load({ url, authorization, body, rate: RATE, warmupS: 0, durationS: WARMUP_S });
  fromUs = Number(process.hrtime.bigint() / 1000n);
  const fixed = await load({
    url, authorization, body, rate: RATE, warmupS: 0, durationS: DURATION_S,
    onAnswer: (_status, h) => { if (h['x-tollgate-cache'] === 'hit') hits++; },
  });
  toUs = Number(process.hrtime.bigint() / 1000n);
  for (const s of services.splice(0).reverse()) await s.stop();
  if (hits !== fixed.ok || fixed.errors > 0) throw new Error(`expected only hits: ${hits} hits of ${fixed.ok} ok, ${fixed.errors} errors`);
  console.log(`cache hits, ${scenario}, ${RATE} req/s for ${DURATION_S} s (${opt.client} client, gateway from ${GATEWAY_BUILD} on core ${GATEWAY_CORE}): p50 ${fmt(fixed.p50Ms, 3)} ms, p99 ${fmt(fixed.p99Ms, 3)} ms, ${fmt(hits)} hits`);
  if (!opt['latency-only']) {
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    if (file === undefined) throw new Error(`no .cpuprofile written in ${profileDir}`);
    const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile;
    const summary = summarizeProfile(profile, { fromUs, toUs, top: Number(opt.top) });
    console.log(`gateway CPU per hit: ${fmt((summary.busyMs * 1000) / hits, 1)} µs (busy ${fmt(summary.busyMs, 0)} ms over ${fmt(hits)} hits)\n`);
    console.log(renderProfileSummary(summary, `tollgate serve, cache hits (${scenario})`));
  }
} finally {
  clearTimeout(abort);
  for (const s of services.reverse()) await s.stop();
  rmSync(workDir, { recursive: true, force: true });
}
