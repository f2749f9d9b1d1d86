// Process entry for cache-overhead.ts's latency floor: the least a Node HTTP server can do for a POST (read the
// body, answer 11 precomputed bytes), pinned to the gateway's core. A cache hit's latency minus this one's is what
// the gateway's own work adds, on this machine, at that moment.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const answer = Buffer.from('{"ok":true}');
const server = createServer((req, res) => {
  req.resume();
  req.once('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(answer.length) });
    res.end(answer);
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
process.stdout.write(`${JSON.stringify({ ready: true, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, pid: process.pid })}\n`);
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
