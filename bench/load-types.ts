// What a closed-loop load run is asked to do and what it reports, whichever generator ran it.

export interface ClosedLoopSpec {
  url: string;
  authorization: string;
  body: string;
  connections: number;
  warmupS: number;
  durationS: number;
  /** Called right before the measured window opens and right after it closes (the CPU readings go here). */
  onWindowStart(): void;
  onWindowEnd(): void;
}

export interface LoadResult {
  tool: 'wrk' | 'node';
  connections: number;
  /** Length of the measured window, seconds. */
  durationS: number;
  /** Responses completed in the window (any status). */
  requests: number;
  /** Non-2xx responses plus socket errors and timeouts in the window. */
  errors: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
}
