// tollgate forecast --account ID [--json]: burn rate, run-out date and projected budget period spend.
import { forecastFor, forecastView } from '../services/forecast/forecast-service.js';
import type { Store } from '../store/store.js';
import { CliError, parse, printJson, required } from './args.js';

export async function forecastCommand(argv: string[], store: Store): Promise<void> {
  const v = parse(argv, { account: { type: 'string' }, json: { type: 'boolean' } });
  const accountId = required(v, 'account');
  const f = await forecastFor(store, accountId, Date.now());
  if (!f) throw new CliError(`no account ${accountId}`);
  const view = forecastView(f);
  if (v.json) {
    printJson(view);
    return;
  }
  const out = [
    `burn rate: ${view.burn_rate_per_day} credits/day (trailing ${view.window_days} days)`,
    `available: ${view.available} credits`,
    `runs out: ${view.runs_out_at === null ? 'never at this rate' : `${view.runs_out_at} (${view.days_left} days)`}`,
    ...view.budgets.map((b) => `budget ${b.budget_id}: spent ${b.spent}, projected ${b.projected} of ${b.limit} by ${b.period_end}${b.projected_over ? ' (over)' : ''}`),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}
