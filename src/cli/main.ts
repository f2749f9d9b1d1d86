// The `tollgate` command: one file per command group; every command uses the same configuration as the server.
import { loadConfig, ConfigError, type Config } from '../config/config.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { accountsCommand } from './accounts.js';
import { CliError } from './args.js';
import { ApiError } from '../http/errors.js';
import { creditsCommand } from './credits.js';
import { demoCommand } from './demo.js';
import { keysCommand } from './keys.js';
import { pricesCommand } from './prices.js';
import { serveCommand } from './serve.js';
import { usageCommand } from './usage.js';
import { migrateCommand } from './migrate.js';
import { budgetsCommand } from './budgets.js';
import { rateLimitsCommand, tiersCommand } from './limits.js';
import { alertsCommand } from './alerts.js';
import { policiesCommand } from './policies.js';
import { estimateCommand } from './estimate.js';
import { codesCommand } from './codes.js';
import { receiptsCommand } from './receipts.js';
import { cacheCommand } from './cache.js';
import { exportCommand } from './export.js';
import { forecastCommand } from './forecast.js';
import { membersCommand } from './members.js';
import { builtinPrices } from '../domain/pricing/catalog.js';

const USAGE = `usage: tollgate <command>
  serve [--port N]                     run the gateway
  demo [--port N]                      run the gateway against a simulated upstream (no OpenAI key needed)
  accounts create --name NAME [--tier TIER] [--json] | accounts list
  keys create --account ID [--project ID] [--name NAME] [--admin] [--json] | keys revoke --key ID | keys list --account ID
  credits grant --account ID --amount AMOUNT [--expires-at ISO8601] [--source SOURCE] [--idempotency-key KEY] [--json]
  credits balance --account ID [--json] | credits void --grant ID
  usage --account ID [--since ISO8601] [--json]
  prices set --model MODEL --input USD_PER_1M --output USD_PER_1M [--cached-input USD_PER_1M] [--effective-from ISO8601]
  prices import FILE [--effective-from ISO8601] | prices list [--model M] [--json]
  budgets set --account ID [--project ID | --key ID] --limit AMOUNT [--period month|week|day] [--timezone TZ] [--thresholds 50,80,100]
  budgets list --account ID [--json] | budgets delete --budget ID
  tiers set --account ID --tier TIER | tiers list
  rate-limits set --project ID [--model FAMILY] [--rpm N] [--tpm N] [--rpd N] | rate-limits list --project ID
  alerts add --account ID --kind low_balance|budget_threshold|grant_expiring|spend_spike|spend_threshold|runs_out_soon [--params JSON]
         [--webhook URL] [--email a@x,b@y] | alerts list --account ID | alerts delete --rule ID | alerts deliveries [--account ID]
  policies set --account ID [--project ID | --key ID] [--allow-models a,b] [--max-output N] [--default-output N]
         [--max-prompt N] [--substitute FROM=TO,...] | policies list --account ID [--json] | policies delete --account ID [--project ID | --key ID]
  estimate FILE|- [--account ID [--project ID | --key ID]] [--json]   prompt tokens and the most a request body can cost
  codes generate --amount AMOUNT --count N [--expires-at ISO8601] [--per-account-limit N] [--grant-expires-days N] [--out FILE]
  codes redeem --account ID --code CODE [--json] | codes batches [--json]
  receipts --account ID [--json]       purchases, recharges, redemptions and refunds, newest first
  cache set --account ID [--project ID | --key ID] (--ttl SECONDS | --off) | cache list --account ID [--json]
  export usage|ledger --account ID [--since ISO8601] [--until ISO8601] [--out FILE]   CSV (stdout by default)
  forecast --account ID [--json]       burn rate, run-out date, projected budget period spend
  members add --account ID --email E --role owner|member|reader [--password-stdin] [--json] | members list --account ID
         | members invite --email E [--account ID --role ROLE] [--json]
  plans set --id ID --kind pack|custom [--price-cents N --credits C [--bonus C]] [--min-cents N --max-cents N] | plans list [--json]
  checkout --account ID --plan ID [--amount-cents N] [--save-card] [--json]   -> {"id", "url"}
  recharge set --account ID --threshold C (--amount C | --target C) --monthly-cap C [--customer ID] [--payment-method ID] [--off]
  recharge show --account ID
  migrate [--json]                     apply pending database migrations (also done at every start)
`;

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    process.stderr.write(`tollgate: ${(err as ConfigError).message}\n`);
    return 2;
  }
  try {
    if (command === 'serve') {
      await serveCommand(rest, config);
      return -1; // keeps running
    }
    if (command === 'demo') {
      await demoCommand(rest, config, env);
      return -1;
    }
    const store = await openStore(config);
    try {
      await store.insertPrices(builtinPrices(), 'builtin', Date.now());
      await run(command, rest, store, config);
    } finally {
      await store.close();
    }
    return 0;
  } catch (err) {
    if (err instanceof CliError || err instanceof ApiError) {
      process.stderr.write(`tollgate ${command}: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`tollgate ${command}: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

async function run(command: string, rest: string[], store: Store, config: Config): Promise<void> {
  switch (command) {
    case 'accounts': return accountsCommand(rest, store, config);
    case 'keys': return keysCommand(rest, store);
    case 'credits': return creditsCommand(rest, store);
    case 'usage': return usageCommand(rest, store);
    case 'prices': return pricesCommand(rest, store);
    case 'migrate': return migrateCommand(rest, store);
    case 'budgets': return budgetsCommand(rest, store);
    case 'tiers': return tiersCommand(rest, store);
    case 'rate-limits': return rateLimitsCommand(rest, store);
    case 'alerts': return alertsCommand(rest, store);
    case 'policies': return policiesCommand(rest, store);
    case 'estimate': return estimateCommand(rest, store, config);
    case 'codes': return codesCommand(rest, store);
    case 'receipts': return receiptsCommand(rest, store);
    case 'cache': return cacheCommand(rest, store);
    case 'export': return exportCommand(rest, store);
    case 'forecast': return forecastCommand(rest, store);
    case 'members': return membersCommand(rest, store);
    // Loaded on use: the payment commands bring in Stripe's library, which the other commands do not need.
    case 'plans': return (await import('./payments.js')).plansCommand(rest, store, config);
    case 'checkout': return (await import('./payments.js')).checkoutCommand(rest, store, config);
    case 'recharge': return (await import('./payments.js')).rechargeCommand(rest, store);
    default: throw new CliError(`unknown command ${JSON.stringify(command)}\n${USAGE}`);
  }
}
