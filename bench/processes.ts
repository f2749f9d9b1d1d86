// Child processes for the bench: node (through tsx) optionally pinned to one core with taskset, started and
// considered ready when it prints its URL, stopped with SIGTERM (SIGKILL after a grace period).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface ServiceSpec {
  name: string;
  /** Arguments after `node` (e.g. ['--import', 'tsx', 'bench/bare-proxy.ts']). */
  nodeArgs: string[];
  env?: NodeJS.ProcessEnv;
  /** Pin to this core with taskset; undefined = no pinning. */
  cpu?: number | undefined;
  /** Reads the service's URL from one line of its output; undefined while not ready. */
  readyLine(line: string): string | undefined;
  readyTimeoutMs?: number;
}

export interface Service {
  name: string;
  pid: number;
  url: string;
  cpu: number | undefined;
  /** The last lines it printed (for error messages). */
  output(): string;
  stop(): Promise<void>;
}

const OUTPUT_LINES = 40;

// Children still running when this process exits (a crash, a test timeout) are killed with it, never orphaned.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startService(spec: ServiceSpec): Promise<Service> {
  const node = [process.execPath, ...spec.nodeArgs];
  const [command, ...args] = spec.cpu === undefined ? node : ['taskset', '-c', String(spec.cpu), ...node];
  const child = spawn(command!, args, { cwd: REPO_ROOT, env: { ...process.env, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let resolveUrl: (url: string) => void = () => {};
  const ready = new Promise<string>((resolve) => { resolveUrl = resolve; });
  const onText = (text: string) => {
    for (const line of text.split('\n')) {
      if (line === '') continue;
      lines.push(line);
      if (lines.length > OUTPUT_LINES) lines.shift();
      const url = spec.readyLine(line);
      if (url !== undefined) resolveUrl(url);
    }
  };
  child.stdout!.setEncoding('utf8').on('data', onText);
  child.stderr!.setEncoding('utf8').on('data', onText);
  running.add(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    running.delete(child);
    resolve(code);
  }));

  const timeoutMs = spec.readyTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    ready.then((url) => ({ url })),
    exited.then((code) => ({ exit: code })),
    new Promise<{ timeout: true }>((resolve) => { timer = setTimeout(() => resolve({ timeout: true }), timeoutMs); }),
  ]);
  clearTimeout(timer);
  if (!('url' in outcome)) {
    child.kill('SIGKILL');
    const why = 'exit' in outcome ? `exited with code ${String(outcome.exit)}` : `was not ready after ${timeoutMs} ms`;
    throw new Error(`${spec.name} ${why}:\n${lines.join('\n')}`);
  }
  return {
    name: spec.name,
    pid: child.pid!,
    url: outcome.url,
    cpu: spec.cpu,
    output: () => lines.join('\n'),
    stop: () => stopChild(child, exited),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const done = await Promise.race([
    exited.then(() => true),
    new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), 10_000); }),
  ]);
  clearTimeout(timer);
  if (!done) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Ready line of the bench's own services: a JSON object {"ready":true,"url":...}. */
export function jsonReadyLine(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(line) as { ready?: unknown; url?: unknown };
    return parsed.ready === true && typeof parsed.url === 'string' ? parsed.url : undefined;
  } catch {
    return undefined;
  }
}

/** Ready line of `tollgate serve`: its structured "tollgate listening" log line. */
export function gatewayReadyLine(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(line) as { msg?: unknown; url?: unknown };
    return parsed.msg === 'tollgate listening' && typeof parsed.url === 'string' ? parsed.url : undefined;
  } catch {
    return undefined;
  }
}

/** Pins this process (all its threads) to one core; false when taskset is missing or refuses. */
export async function pinSelf(cpu: number): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}
