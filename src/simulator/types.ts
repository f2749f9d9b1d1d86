// Public types of the simulated OpenAI upstream: its options, the fault behaviours a test can script, the request log.
import type { IncomingHttpHeaders } from 'node:http';

export interface SimulatorOptions {
  /** 0 = ephemeral (default). The simulator always binds 127.0.0.1. */
  port?: number;
  /** When set, requests without `Authorization: Bearer <apiKey>` get OpenAI's 401 body. */
  apiKey?: string;
  /** Bench mode: precomputed fixed responses and fixed usage, no tokenizing. */
  fast?: boolean;
  /** Retrieves of a batch before it completes (default 1: the first retrieve finds it completed). */
  batchRetrievesToComplete?: number;
}

export interface UsageOverride {
  promptTokens: number;
  cachedTokens: number;
  completionTokens: number;
  reasoningTokens: number;
}

export type Behaviour =
  | { kind: 'ok'; usage?: Partial<UsageOverride>; text?: string; delayMs?: number }
  | { kind: 'status'; status: number; body?: unknown }
  | { kind: 'refuse' }
  | { kind: 'hang' }
  | { kind: 'reset-mid-stream'; afterChunks: number }
  | { kind: 'slow-stream'; chunkDelayMs: number; chunks?: number };

/**
 * How the simulator's side of one request ended:
 * `pending` still running (or hanging); `answered` the whole response was written;
 * `client-closed` the client went away first (for a stream: before `[DONE]`);
 * `reset` the simulator destroyed the connection on purpose (refuse / reset-mid-stream).
 */
export type RequestOutcome = 'pending' | 'answered' | 'client-closed' | 'reset';

export interface SimulatedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body; the raw text when it was not JSON; undefined when empty. */
  body: unknown;
  /** Updated as the request proceeds. */
  outcome: RequestOutcome;
}

export interface SimulatedUpstream {
  /** Base URL including /v1, e.g. "http://127.0.0.1:43123/v1". */
  url: string;
  /** Every request received, newest last (bounded to the last 10,000). */
  requests: SimulatedRequest[];
  /** Queue behaviours for upcoming requests (FIFO; each applies to one request; when empty, normal behaviour). */
  script(...behaviours: Behaviour[]): void;
  /** Closes the server and destroys open sockets (hanging requests included). */
  close(): Promise<void>;
}
