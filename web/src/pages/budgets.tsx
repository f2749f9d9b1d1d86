// Budgets with progress bars; owners set the account's monthly (or weekly / daily) limit.
import { useState } from 'preact/hooks';
import { api, type Me } from '../api.js';
import { Card, Credits, ErrorLine, useLoad } from '../ui.js';

interface Budget { id: string; scope: string; scope_id: string; period: string; limit: string; spent: string; held: string; period_key: string }

/** Whole percent of spent over limit, from the exact decimal strings (scaled to integers, no float division of money). */
export function percent(spent: string, limit: string): number {
  const scale = (s: string) => {
    const [w, f = ''] = s.split('.');
    return BigInt(w! + f.padEnd(12, '0').slice(0, 12));
  };
  const l = scale(limit);
  return l === 0n ? 0 : Number((scale(spent) * 100n) / l);
}

export function Budgets(props: { me: Me }) {
  const budgets = useLoad(() => api<{ data: Budget[] }>('/budgets'));
  const [limit, setLimit] = useState('');
  const [period, setPeriod] = useState('month');
  const [error, setError] = useState<string | null>(null);
  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await api('/budgets', 'PUT', { scope: 'account', limit, period });
      setLimit('');
      budgets.reload();
    } catch (err) { setError((err as Error).message); }
  };
  return (
    <>
      {props.me.role === 'owner' && (
        <Card title="Set the account budget">
          <form class="row" onSubmit={save}>
            <input name="limit" inputMode="decimal" placeholder="Limit in credits, e.g. 25" required value={limit} onInput={(e) => setLimit(e.currentTarget.value)} />
            <select name="period" value={period} onChange={(e) => setPeriod(e.currentTarget.value)}>
              <option value="month">per month</option><option value="week">per week</option><option value="day">per day</option>
            </select>
            <button type="submit">Save budget</button>
          </form>
          <ErrorLine error={error} />
        </Card>
      )}
      <Card title="Budgets" testId="budgets">
        <ErrorLine error={budgets.error} />
        {budgets.data?.data.length === 0 && <p class="muted">No budget set.</p>}
        {(budgets.data?.data ?? []).map((b) => {
          const pct = percent(b.spent, b.limit);
          return (
            <div class="budget" key={b.id} data-testid="budget">
              <div class="budget-head"><strong>{b.scope === 'account' ? 'Account' : `Project ${b.scope_id}`}</strong>
                <span>{b.period} from {b.period_key}</span></div>
              <div class="bar" role="progressbar" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
                <div class={`fill ${pct >= 100 ? 'over' : pct >= 80 ? 'warn' : ''}`} style={{ width: `${Math.min(pct, 100)}%` }} />
              </div>
              <div class="muted"><Credits value={b.spent} /> of <span data-testid="budget-limit"><Credits value={b.limit} /></span> credits spent ({pct}%)</div>
            </div>
          );
        })}
      </Card>
    </>
  );
}
