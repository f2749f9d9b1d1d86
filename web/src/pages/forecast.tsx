// The forecast: when the credits run out at the recent burn rate, days left, credits that will expire unused, and
// each budget's projected spend for its period against its limit.
import { api } from '../api.js';
import { percent } from './budgets.js';
import { Card, Credits, date, ErrorLine, useLoad } from '../ui.js';

interface BudgetForecast { budget_id: string; period_start: string; period_end: string; spent: string; projected: string; limit: string; projected_over: boolean }
interface Forecast {
  as_of: string; window_days: number; burn_rate_per_day: string; available: string; runs_out_at: string | null;
  days_left: number | null; lost_to_expiry: string; budgets: BudgetForecast[];
}

/** The run-out date; without one, either nothing is being spent or it lies beyond the forecast's 100-year horizon. */
export function runsOut(f: Pick<Forecast, 'runs_out_at' | 'burn_rate_per_day'>): string {
  if (f.runs_out_at) return date(f.runs_out_at);
  return /[1-9]/.test(f.burn_rate_per_day) ? 'not within 100 years' : 'not at this rate';
}

export function ForecastPage() {
  const { data, error } = useLoad(() => api<Forecast>('/forecast'));
  return (
    <>
      <Card title="Forecast" testId="forecast">
        <ErrorLine error={error} />
        {data && (
          <>
            <div class="stats">
              <div><span class="label">Runs out on</span><strong class="big" data-testid="runs-out">{runsOut(data)}</strong></div>
              <div><span class="label">Days left</span><strong data-testid="days-left">{data.days_left ?? '—'}</strong></div>
              <div><span class="label">Burn rate per day</span><strong data-testid="burn-rate"><Credits value={data.burn_rate_per_day} /></strong></div>
              <div><span class="label">Available</span><strong><Credits value={data.available} /></strong></div>
              <div><span class="label">Will expire unused</span><strong data-testid="lost-to-expiry"><Credits value={data.lost_to_expiry} /></strong></div>
            </div>
            <p class="muted">From the spend of the last {data.window_days} days, as of {data.as_of.slice(0, 16).replace('T', ' ')} UTC.</p>
          </>
        )}
      </Card>
      <Card title="Budgets this period" testId="forecast-budgets">
        {data?.budgets.length === 0 && <p class="muted">No budget set.</p>}
        {(data?.budgets ?? []).map((b) => {
          const spent = percent(b.spent, b.limit);
          const projected = percent(b.projected, b.limit);
          return (
            <div class="budget" key={b.budget_id} data-testid="budget-projection">
              <div class="budget-head"><strong>{date(b.period_start)} – {date(b.period_end)}</strong>
                <span class={b.projected_over ? 'error' : 'ok'}>{b.projected_over ? 'projected over the limit' : 'projected within the limit'}</span></div>
              <div class="bar" role="progressbar" aria-valuenow={projected} aria-valuemin={0} aria-valuemax={100}>
                <div class={`fill ${projected >= 100 ? 'over' : projected >= 80 ? 'warn' : ''}`} style={{ width: `${Math.min(projected, 100)}%` }} />
              </div>
              <div class="muted">Spent <Credits value={b.spent} /> ({spent}%), projected <Credits value={b.projected} /> ({projected}%) of <Credits value={b.limit} /> credits</div>
            </div>
          );
        })}
      </Card>
    </>
  );
}
