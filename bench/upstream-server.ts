// Process entry for the bench's fake upstream: the simulator in fast mode (precomputed answers), on 127.0.0.1.
import { parseArgs } from 'node:util';
import { startSimulator } from '../src/simulator/index.js';

const { values } = parseArgs({ options: { 'api-key': { type: 'string' }, port: { type: 'string' } } });
const upstream = await startSimulator({
  fast: true, port: Number(values.port ?? 0), ...(values['api-key'] !== undefined ? { apiKey: values['api-key'] } : {}),
});
process.stdout.write(`${JSON.stringify({ ready: true, url: upstream.url, pid: process.pid })}\n`);
const stop = () => void upstream.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
