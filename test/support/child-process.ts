// Runs the real `tollgate` CLI as a child process (see cli-command.ts for which build): `serve` as a
// long-running server whose URL is read from its 'tollgate listening' log line, and one-shot commands.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor as pollUntil } from './billing-checks.js';
import { cliCommand } from './cli-command.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** Every JSON log line written so far (non-JSON lines are kept as { raw }). */
  logs: Array<Record<string, unknown>>;
  /** Resolves with the exit code (or the signal name) once the process ended. */
  exited: Promise<number | string>;
}

/** Environment for a child: the given variables over a minimal base (no inherited TOLLGATE_* or OPENAI_*). */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('TOLLGATE_') && !k.startsWith('OPENAI_') && k !== 'DATABASE_URL' && k !== 'REDIS_URL') base[k] = v;
  }
  return { ...base, ...env };
}

/** Starts `tollgate serve --port 0` and resolves once it logged its URL. */
export async function startServe(env: Record<string, string>, timeoutMs = 20_000): Promise<ServeProcess> {
  const child = spawn(process.execPath, [...cliCommand(), 'serve', '--port', '0'], {
    cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'ignore', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`tollgate serve did not start in ${timeoutMs} ms:\n${JSON.stringify(logs)}`)), timeoutMs);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          entry = { raw: line };
        }
        logs.push(entry);
        if (entry.msg === 'tollgate listening' && typeof entry.url === 'string') {
          clearTimeout(timer);
          resolve(entry.url);
        }
      }
    });
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`tollgate serve exited (${how}) before listening:\n${JSON.stringify(logs)}`));
    });
  });
  return { child, url, logs, exited };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one CLI command to completion. */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cliCommand(), ...args], {
      cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tollgate ${args.join(' ')} did not finish in ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Polls `check` every few milliseconds until it returns a value other than undefined. */
/** Polls `check` until it returns a value (10 s by default: child processes start slowly). */
export function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  return pollUntil(what, check, timeoutMs);
}
