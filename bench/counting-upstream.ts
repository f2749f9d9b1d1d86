// Process entry for cache-overhead.ts's fake upstream: the simulator in fast mode, like upstream-server.ts, plus a
// second 127.0.0.1 listener whose GET answers {"requests": N}, the number of requests the upstream received so far.
// The simulator's own log keeps only the last REQUEST_LOG_LIMIT entries, so the total is counted as they are logged.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { startSimulator } from '../src/simulator/index.js';

const { values } = parseArgs({ options: { 'api-key': { type: 'string' } } });
const upstream = await startSimulator({ fast: true, ...(values['api-key'] !== undefined ? { apiKey: values['api-key'] } : {}) });
let total = 0;
const log = upstream.requests as unknown[];
const push = log.push.bind(log);
log.push = (...items: unknown[]) => {
  total += items.length;
  return push(...items);
};
const counter = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ requests: total }));
});
await new Promise<void>((resolve) => counter.listen(0, '127.0.0.1', resolve));
const countUrl = `http://127.0.0.1:${(counter.address() as AddressInfo).port}/`;
process.stdout.write(`${JSON.stringify({ ready: true, url: upstream.url, countUrl, pid: process.pid })}\n`);
const stop = () => {
  counter.close();
  void upstream.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
