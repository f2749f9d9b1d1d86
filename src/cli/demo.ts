// tollgate demo: the gateway on SQLite against the built-in simulated upstream, with a ready account and key,
// so a newcomer can try Tollgate with no OpenAI key and no network. Every simulated answer is marked
// `x-tollgate-simulated: true`. The normal start never falls back to the simulator.
import type { Config } from '../config/config.js';
import { issueKey } from '../services/api-keys.js';
import { formatCredits } from '../domain/money/pico.js';
import { startGateway } from '../gateway.js';
import { createLogger } from '../observability/logger.js';
import { openAccount } from '../services/accounts.js';
import { startSimulator } from '../simulator/index.js';
import { optional, parse } from './args.js';

export async function demoCommand(argv: string[], config: Config, env: NodeJS.ProcessEnv): Promise<void> {
  const v = parse(argv, { port: { type: 'string' } });
  const simulator = await startSimulator();
  const port = optional(v, 'port');
  const demoConfig: Config = {
    ...config,
    port: port ? Number(port) : config.port,
    sqlitePath: env.TOLLGATE_DB ? config.sqlitePath : './data/demo.db',
    upstreamBaseUrl: simulator.url,
    upstreamApiKey: undefined,
  };
  const logger = createLogger(config.logLevel);
  const gateway = await startGateway(demoConfig, { logger });
  const store = gateway.deps.store;
  const { account, project, signupGrant } = await openAccount(store, demoConfig, { name: 'Demo account', tier: 'tier-1' }, Date.now());
  const { secret } = await issueKey(store, { accountId: account.id, projectId: project.id, name: 'demo key' }, Date.now());
  const credits = signupGrant ? formatCredits(signupGrant.amount) : '0';
  process.stdout.write([
    '',
    'Tollgate demo — every answer comes from the built-in SIMULATED upstream (header x-tollgate-simulated: true).',
    `  gateway:  ${gateway.url}/v1`,
    `  account:  ${account.id} with ${credits} sign-up credits`,
    `  key:      ${secret}`,
    '',
    'Try it:',
    `  curl -s ${gateway.url}/v1/chat/completions -H "Authorization: Bearer ${secret}" -H "Content-Type: application/json" \\`,
    `    -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello!"}]}' -i`,
    `  npx tollgate credits balance --account ${account.id} --json   # with TOLLGATE_DB=${demoConfig.sqlitePath}`,
    '',
    'Press Ctrl+C to stop.',
    '',
  ].join('\n'));
  const stop = async () => {
    await gateway.close();
    await simulator.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
