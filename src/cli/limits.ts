// tollgate tiers set | rate-limits set | rate-limits list: usage tiers and per-project rate-limit overrides.
import { isTier } from '../domain/rate-limits/tiers.js';
import { loadTierLadder } from '../services/rate-limit/load-tier-ladder.js';
import type { Store } from '../store/store.js';
import { CliError, optional, parse, printJson, required } from './args.js';

export async function tiersCommand(argv: string[], store: Store): Promise<void> {
  const [sub, ...rest] = argv;
  const ladder = loadTierLadder();
  if (sub === 'set') {
    const v = parse(rest, { account: { type: 'string' }, tier: { type: 'string' }, json: { type: 'boolean' } });
    const tier = required(v, 'tier');
    if (!isTier(ladder, tier)) throw new CliError(`--tier must be one of ${ladder.tiers.map((t) => t.name).join(', ')}`);
    if (!(await store.setAccountTier(required(v, 'account'), tier))) throw new CliError(`no account ${String(v.account)}`);
    if (v.json) printJson({ account_id: v.account, tier });
    else process.stdout.write(`account ${String(v.account)} is on ${tier} (purchases can still promote it)\n`);
    return;
  }
  if (sub === 'list') {
    const v = parse(rest, { json: { type: 'boolean' } });
    const rows = ladder.tiers.map((t) => ({ name: t.name, min_purchased_pico: String(t.minPurchased), min_days_since_first_purchase: t.minDaysSinceFirstPurchase }));
    if (v.json) printJson(rows);
    else for (const r of rows) process.stdout.write(`${r.name}\tpurchased >= ${BigInt(r.min_purchased_pico) / 1_000_000_000_000n} credits\t${r.min_days_since_first_purchase} days\n`);
    return;
  }
  throw new CliError('usage: tollgate tiers set --account ID --tier TIER | tiers list [--json]');
}

export async function rateLimitsCommand(argv: string[], store: Store): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'set') {
    const v = parse(rest, {
      project: { type: 'string' }, model: { type: 'string' }, rpm: { type: 'string' }, tpm: { type: 'string' }, rpd: { type: 'string' },
      json: { type: 'boolean' },
    });
    const projectId = required(v, 'project');
    if (!(await store.getProject(projectId))) throw new CliError(`no project ${projectId}`);
    const num = (flag: string): number | null => {
      const text = optional(v, flag);
      if (text === undefined) return null;
      const n = Number(text);
      if (!Number.isSafeInteger(n) || n < 1) throw new CliError(`--${flag} must be a positive integer`);
      return n;
    };
    const override = { family: optional(v, 'model') ?? '*', rpm: num('rpm'), tpm: num('tpm'), rpd: num('rpd') };
    await store.setRateLimitOverride(projectId, override, Date.now());
    if (v.json) printJson({ project_id: projectId, ...override });
    else process.stdout.write(`project ${projectId}, ${override.family}: rpm ${override.rpm ?? 'tier'}, tpm ${override.tpm ?? 'tier'}, rpd ${override.rpd ?? 'tier'}\n`);
    return;
  }
  if (sub === 'list') {
    const v = parse(rest, { project: { type: 'string' }, json: { type: 'boolean' } });
    const rows = await store.listRateLimitOverrides(required(v, 'project'));
    if (v.json) printJson(rows);
    else for (const r of rows) process.stdout.write(`${r.family}\trpm ${r.rpm ?? 'tier'}\ttpm ${r.tpm ?? 'tier'}\trpd ${r.rpd ?? 'tier'}\n`);
    return;
  }
  throw new CliError('usage: tollgate rate-limits set --project ID [--model FAMILY] [--rpm N] [--tpm N] [--rpd N] | rate-limits list --project ID');
}
