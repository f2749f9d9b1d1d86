// tollgate budgets set | list | delete: spending limits per account, project or key, per day, week or month.
import { BUDGET_PERIODS, isValidTimeZone, type BudgetPeriod } from '../domain/budgets/period.js';
import type { BudgetScope } from '../domain/budgets/budget.js';
import { formatCredits, parseCredits } from '../domain/money/pico.js';
import type { Store } from '../store/store.js';
import { budgetView } from '../views/views.js';
import { CliError, optional, parse, printJson, required } from './args.js';

export async function budgetsCommand(argv: string[], store: Store): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'set') return set(rest, store);
  if (sub === 'list') return list(rest, store);
  if (sub === 'delete') {
    const v = parse(rest, { budget: { type: 'string' }, json: { type: 'boolean' } });
    const id = required(v, 'budget');
    if (!(await store.deleteBudget(id, Date.now()))) throw new CliError(`no budget ${id}`);
    if (v.json) printJson({ id, deleted: true });
    else process.stdout.write(`deleted ${id}\n`);
    return;
  }
  throw new CliError('usage: tollgate budgets set --account ID [--project ID | --key ID] --limit AMOUNT [--period month|week|day] ' +
    '[--timezone TZ] [--thresholds 50,80,100] [--json] | budgets list --account ID [--json] | budgets delete --budget ID');
}

async function set(argv: string[], store: Store): Promise<void> {
  const v = parse(argv, {
    account: { type: 'string' }, project: { type: 'string' }, key: { type: 'string' }, limit: { type: 'string' },
    period: { type: 'string' }, timezone: { type: 'string' }, thresholds: { type: 'string' }, json: { type: 'boolean' },
  });
  const accountId = required(v, 'account');
  if (!(await store.getAccount(accountId))) throw new CliError(`no account ${accountId}`);
  const projectId = optional(v, 'project');
  const keyId = optional(v, 'key');
  if (projectId && keyId) throw new CliError('give --project or --key, not both');
  let scope: BudgetScope = 'account';
  let scopeId = accountId;
  if (projectId) {
    const project = await store.getProject(projectId);
    if (!project || project.accountId !== accountId) throw new CliError(`no project ${projectId} in account ${accountId}`);
    scope = 'project';
    scopeId = projectId;
  } else if (keyId) {
    const keys = await store.listKeys(accountId);
    if (!keys.some((k) => k.id === keyId)) throw new CliError(`no key ${keyId} in account ${accountId}`);
    scope = 'key';
    scopeId = keyId;
  }
  let limit: bigint;
  try {
    limit = parseCredits(required(v, 'limit'));
  } catch (err) {
    throw new CliError(`--limit: ${(err as Error).message}`);
  }
  const period = (optional(v, 'period') ?? 'month') as BudgetPeriod;
  if (!BUDGET_PERIODS.includes(period)) throw new CliError(`--period must be one of ${BUDGET_PERIODS.join(', ')}`);
  const timeZone = optional(v, 'timezone') ?? 'UTC';
  if (!isValidTimeZone(timeZone)) throw new CliError(`--timezone: unknown time zone ${JSON.stringify(timeZone)}`);
  const thresholds = parseThresholds(optional(v, 'thresholds') ?? '50,80,100');
  const budget = await store.setBudget({ accountId, scope, scopeId, period, timeZone, limit, thresholds }, Date.now());
  if (v.json) printJson(budgetView({ budget, periodKey: '', spent: 0n, held: 0n }, false));
  else process.stdout.write(`budget ${budget.id}: ${formatCredits(limit)} credits per ${period} for ${scope} ${scopeId}\n`);
}

async function list(argv: string[], store: Store): Promise<void> {
  const v = parse(argv, { account: { type: 'string' }, json: { type: 'boolean' } });
  const status = await store.budgetStatus(required(v, 'account'), Date.now());
  if (v.json) printJson(status.map((s) => budgetView(s, true)));
  else for (const s of status) {
    process.stdout.write(`${s.budget.id}\t${s.budget.scope} ${s.budget.scopeId}\t${s.periodKey}\t${formatCredits(s.spent)} / ${formatCredits(s.budget.limit)}\n`);
  }
}

function parseThresholds(text: string): number[] {
  const values = text.split(',').map((t) => t.trim()).filter(Boolean).map(Number);
  if (values.some((n) => !Number.isInteger(n) || n <= 0 || n > 1000)) throw new CliError('--thresholds must be whole percentages, e.g. 50,80,100');
  return [...new Set(values)].sort((a, b) => a - b);
}
