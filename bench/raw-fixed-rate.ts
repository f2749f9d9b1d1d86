// Open-loop load at a fixed rate over raw keep-alive TCP sockets: each request is one precomputed buffer written to
// an idle connection, and the response is framed by a small parser (http1-response-parser.ts). The same schedule
// and result as fixed-rate.ts, without an HTTP client library in the measurement: on this 2-vCPU VM undici's own
// work on both sides of a request is a large part of a sub-millisecond latency, and it is the server's that is
// being measured. Latency runs from the moment the timer hands the request over (as in fixed-rate.ts; how late the
// timer fired is reported apart as the lag) to the last byte of the answer. A request waits for a free connection
// when all are busy (none are opened mid-run), and that wait is part of its latency.
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { FixedRateResult, FixedRateSpec } from './fixed-rate.js';
import { Http1ResponseParser, type ParsedResponse } from './http1-response-parser.js';
import { REQUEST_TIMEOUT_MS } from './load-node.js';
import { RunSamples, runSchedule } from './fixed-schedule.js';

interface Job {
  index: number;
  scheduled: number;
  /** When the timer handed it over (scheduled + the timer's lag). */
  readyAt: number;
}

interface Connection {
  socket: Socket;
  parser: Http1ResponseParser;
  job: Job | undefined;
  firstAt: number;
  timer: NodeJS.Timeout | undefined;
}

/** The bytes of one request, as a client sends them (Host, Content-Type, Authorization, Content-Length). */
export function requestBytes(url: URL, authorization: string, body: string, headers: Record<string, string> = {}): Buffer {
  const payload = Buffer.from(body);
  const lines = [
    `POST ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, 'Content-Type: application/json',
    `Authorization: ${authorization}`, `Content-Length: ${payload.length}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
}

export async function rawFixedRate(spec: FixedRateSpec): Promise<FixedRateResult> {
  const target = new URL(spec.url);
  if (target.protocol !== 'http:') throw new Error('rawFixedRate speaks plain HTTP/1.1 only');
  const request = requestBytes(target, spec.authorization, spec.body, spec.headers);
  const { total, measuredFrom } = RunSamples.plan(spec);
  const samples = new RunSamples();
  const { latencies, ttfbs, lags } = samples;
  let finished = 0;
  const queue: Job[] = [];
  const idle: Connection[] = [];
  let allDone: () => void = () => {};
  const done = new Promise<void>((resolve) => { allDone = resolve; });

  const complete = (job: Job, ok: boolean, firstAt: number, endedAt: number, response?: ParsedResponse) => {
    if (job.index >= measuredFrom) {
      if (response) spec.onAnswer?.(response.status, response.headers);
      if (!ok || !response || response.status < 200 || response.status >= 300) samples.errors++;
      else {
        latencies.push(endedAt - job.readyAt);
        ttfbs.push((firstAt || endedAt) - job.readyAt);
        lags.push(job.readyAt - job.scheduled);
      }
    }
    finished++;
    if (finished === total) allDone();
  };

  const send = (conn: Connection, job: Job) => {
    conn.job = job;
    conn.firstAt = 0;
    conn.timer = setTimeout(() => conn.socket.destroy(new Error('request timed out')), REQUEST_TIMEOUT_MS);
    conn.socket.write(request);
  };
  const release = (conn: Connection) => {
    const next = queue.shift();
    if (next) send(conn, next);
    else idle.push(conn);
  };

  const open = (): Promise<Connection> => new Promise((resolve, reject) => {
    const socket = connect({ host: target.hostname, port: Number(target.port || 80), noDelay: true });
    const conn: Connection = {
      socket, job: undefined, firstAt: 0, timer: undefined,
      parser: new Http1ResponseParser({
        onFirstByte: () => { if (conn.firstAt === 0) conn.firstAt = performance.now(); },
        onResponse: (response) => {
          const ended = performance.now();
          const job = conn.job;
          conn.job = undefined;
          clearTimeout(conn.timer);
          if (job) complete(job, true, conn.firstAt, ended, response);
          release(conn);
        },
      }),
    };
    socket.once('connect', () => resolve(conn));
    socket.once('error', reject);
    socket.on('data', (data: Buffer) => {
      try {
        conn.parser.push(data);
      } catch (err) {
        socket.destroy(err as Error);
      }
    });
    socket.on('close', () => {
      // A broken connection fails its request; the run goes on with the connections left.
      clearTimeout(conn.timer);
      const i = idle.indexOf(conn);
      if (i >= 0) idle.splice(i, 1);
      if (conn.job) {
        complete(conn.job, false, 0, performance.now());
        conn.job = undefined;
      }
    });
  });

  const connections = await Promise.all(Array.from({ length: spec.connections ?? 8 }, open));
  idle.push(...connections);
  await runSchedule(spec.rate, total, (index, scheduled, now) => {
    const job = { index, scheduled, readyAt: now };
    const conn = idle.pop();
    if (conn) send(conn, job);
    else queue.push(job);
  });
  const deadline = setTimeout(() => { for (const c of connections) c.socket.destroy(); }, REQUEST_TIMEOUT_MS + 1000);
  // Requests still queued when every connection broke can never be sent: they fail.
  const drain = setInterval(() => {
    if (connections.every((c) => c.socket.destroyed)) for (const job of queue.splice(0)) complete(job, false, 0, 0);
  }, 100);
  await done;
  clearTimeout(deadline);
  clearInterval(drain);
  for (const c of connections) c.socket.destroy();
  return samples.result(spec, total - measuredFrom);
}
