// tollgate accounts create --name NAME [--tier TIER] [--json]
import type { Config } from '../config/config.js';
import { openAccount } from '../services/accounts.js';
import { formatCredits } from '../domain/money/pico.js';
import type { Store } from '../store/store.js';
import { CliError, optional, parse, printJson, required } from './args.js';

export async function accountsCommand(argv: string[], store: Store, config: Config): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'create') {
    const v = parse(rest, { name: { type: 'string' }, tier: { type: 'string' }, json: { type: 'boolean' } });
    const tier = optional(v, 'tier');
    const { account, project, signupGrant } = await openAccount(store, config, { name: required(v, 'name'), ...(tier ? { tier } : {}) }, Date.now());
    if (v.json) {
      printJson({
        id: account.id, name: account.name, tier: account.tier, default_project_id: project.id,
        signup_grant: signupGrant ? { id: signupGrant.id, amount: formatCredits(signupGrant.amount) } : null,
      });
    } else {
      process.stdout.write(`account ${account.id} (${account.name}), default project ${project.id}` +
        (signupGrant ? `, sign-up grant ${formatCredits(signupGrant.amount)} credits\n` : '\n'));
    }
    return;
  }
  if (sub === 'list') {
    const v = parse(rest, { json: { type: 'boolean' } });
    const accounts = await store.listAccounts();
    if (v.json) printJson(accounts.map((a) => ({ id: a.id, name: a.name, tier: a.tier, created_at: new Date(a.createdAt).toISOString() })));
    else for (const a of accounts) process.stdout.write(`${a.id}\t${a.tier}\t${a.name}\n`);
    return;
  }
  throw new CliError('usage: tollgate accounts create --name NAME [--tier TIER] [--json] | accounts list [--json]');
}
