// Closed-loop load with wrk (apt-get install -y wrk): one thread, N keep-alive connections, a Lua script for the
// POST body, and a done() hook that prints the exact counts and percentiles as one JSON line.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClosedLoopSpec, LoadResult } from './load-types.js';

const MARKER = 'WRK_JSON ';

/** True when a `wrk` binary is on the PATH. */
export async function wrkAvailable(): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('wrk', ['--version'], { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', () => resolve(true));
  });
}

/** The Lua script: request method, headers and body, plus a done() that reports in JSON. */
/** The Lua `done()` hook every bench wrk script ends with: one line of exact counts and percentiles as JSON. */
export const WRK_DONE_HOOK = `done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('${MARKER}{"duration_us":%d,"requests":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d}\\n',
    summary.duration, summary.requests, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end`;

export function wrkScript(body: string, authorization: string): string {
  const quote = (s: string) => `[==[${s}]==]`;
  if (body.includes(']==]') || authorization.includes(']==]')) throw new Error('body cannot be quoted for Lua');
  return `wrk.method = "POST"
wrk.body = ${quote(body)}
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = ${quote(authorization)}

${WRK_DONE_HOOK}`;
}

interface WrkJson {
  duration_us: number;
  requests: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  p50_us: number;
  p99_us: number;
}

/** Reads the done() line out of wrk's output. */
export function parseWrkOutput(output: string, connections: number): LoadResult {
  const line = output.split('\n').find((l) => l.startsWith(MARKER));
  if (line === undefined) throw new Error(`wrk printed no result line:\n${output}`);
  const j = JSON.parse(line.slice(MARKER.length)) as WrkJson;
  const durationS = j.duration_us / 1e6;
  return {
    tool: 'wrk', connections, durationS, requests: j.requests,
    errors: j.connect + j.read + j.write + j.status + j.timeout,
    rps: j.requests / durationS, p50Ms: j.p50_us / 1000, p99Ms: j.p99_us / 1000,
  };
}

/** Runs wrk once with a Lua script for `seconds` (optionally pinned to a core) and resolves with its output. */
export function runWrk(scriptPath: string, spec: ClosedLoopSpec, seconds: number, cpu: number | undefined): Promise<string> {
  const args = ['-t1', `-c${spec.connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', scriptPath, spec.url];
  const [command, ...rest] = cpu === undefined ? ['wrk', ...args] : ['taskset', '-c', String(cpu), 'wrk', ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(command!, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => { out += t; });
    child.stderr.setEncoding('utf8').on('data', (t: string) => { out += t; });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`wrk exited with ${String(code)}:\n${out}`))));
  });
}

/** Warm-up run (discarded), then the measured run; wrk takes whole seconds. */
export async function wrkClosedLoop(spec: ClosedLoopSpec, workDir: string, cpu: number | undefined): Promise<LoadResult> {
  const scriptPath = join(workDir, 'post.lua');
  writeFileSync(scriptPath, wrkScript(spec.body, spec.authorization));
  if (spec.warmupS > 0) await runWrk(scriptPath, spec, Math.max(1, Math.round(spec.warmupS)), cpu);
  spec.onWindowStart();
  const out = await runWrk(scriptPath, spec, Math.max(1, Math.round(spec.durationS)), cpu);
  spec.onWindowEnd();
  return parseWrkOutput(out, spec.connections);
}
