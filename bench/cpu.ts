// CPU accounting from /proc: a process's user+system time, and how busy each core was over a window (Linux only).
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let ticksPerSecond: number | undefined;

/** Clock ticks per second (`getconf CLK_TCK`, 100 on almost every Linux). */
export function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime + stime of a process (all its threads), in microseconds. */
export function processCpuMicros(pid: number): number {
  return parseProcStatCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) * (1_000_000 / clockTicks());
}

/** utime + stime in clock ticks from the text of /proc/<pid>/stat (the command name may hold spaces or parens). */
export function parseProcStatCpuTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ", fields[0] is the state (field 3 of proc(5)); utime and stime are fields 14 and 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`cannot parse /proc stat: ${stat.slice(0, 80)}`);
  return utime + stime;
}

export interface CoreTimes {
  busy: number;
  total: number;
}

/** Busy and total ticks per core ("cpu0", "cpu1", ...) from /proc/stat. */
export function coreTimes(): Map<string, CoreTimes> {
  const out = new Map<string, CoreTimes>();
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = /^(cpu\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = m[2]!.trim().split(/\s+/).map(Number);
    const busy = user + nice + system + irq + softirq + steal;
    out.set(m[1]!, { busy, total: busy + idle + iowait });
  }
  return out;
}

/** Fraction of each core that was busy between two coreTimes() readings. */
export function coreBusy(before: Map<string, CoreTimes>, after: Map<string, CoreTimes>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [core, a] of after) {
    const b = before.get(core);
    if (!b) continue;
    const total = a.total - b.total;
    out[core] = total > 0 ? (a.busy - b.busy) / total : 0;
  }
  return out;
}

/** CPU time of this process plus its reaped children (e.g. a finished wrk), in microseconds. */
export function selfAndChildrenCpuMicros(): { self: number; children: number } {
  const fields = readFileSync('/proc/self/stat', 'utf8');
  const rest = fields.slice(fields.lastIndexOf(')') + 2).split(' ');
  // cutime and cstime are fields 16 and 17 of proc(5).
  const children = (Number(rest[13]) + Number(rest[14])) * (1_000_000 / clockTicks());
  const usage = process.cpuUsage();
  return { self: usage.user + usage.system, children };
}

/** Busy core time between two coreTimes() readings, summed over cores, in microseconds. */
export function busyMicros(before: Map<string, CoreTimes>, after: Map<string, CoreTimes>): number {
  let ticks = 0;
  for (const [core, a] of after) ticks += a.busy - (before.get(core)?.busy ?? a.busy);
  return ticks * (1_000_000 / clockTicks());
}

/**
 * Waits (up to maxWaitS) until the machine is quiet: every core under `threshold` busy over a 1 s sample.
 * Returns the busiest core's share in the last sample (NaN when maxWaitS is 0: no sample taken).
 */
export async function waitForQuiet(maxWaitS: number, threshold: number, log: (line: string) => void): Promise<number> {
  if (maxWaitS <= 0) return Number.NaN;
  const deadline = performance.now() + maxWaitS * 1000;
  let warned = false;
  for (;;) {
    const before = coreTimes();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const busy = Object.values(coreBusy(before, coreTimes()));
    const worst = busy.length > 0 ? Math.max(...busy) : 0;
    if (worst < threshold) return worst;
    if (performance.now() >= deadline) {
      log(`    machine still busy (${(worst * 100).toFixed(0)}% on a core) after ${maxWaitS} s; measuring anyway`);
      return worst;
    }
    if (!warned) {
      log(`    waiting for the machine to go quiet (${(worst * 100).toFixed(0)}% busy on a core from other processes)`);
      warned = true;
    }
  }
}

/** Bytes a process has caused to be written to storage (write_bytes of /proc/<pid>/io); NaN when unreadable. */
export function processWriteBytes(pid: number): number {
  try {
    const m = /^write_bytes:\s*(\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return m ? Number(m[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
