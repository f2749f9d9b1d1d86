// Budgets on PostgreSQL: definitions and each period's captured spend and open holds (kept by the hold/settle postings).
import type pg from 'pg';
import { newId } from '../../domain/ids/ids.js';
import type { Budget } from '../../domain/budgets/budget.js';
import { periodKey, periodStart } from '../../domain/budgets/period.js';
import type { BudgetStatus, NewBudget } from '../store.js';
import { toBudget } from '../budget-rows.js';
import { inTransaction } from './pool.js';
import { bumpChangeLog } from './pg-store.js';

type Row = Record<string, unknown>;

export class PgBudgets {
  constructor(private readonly pool: pg.Pool) {}

  set(input: NewBudget, now: number): Promise<Budget> {
    return inTransaction(this.pool, async (c) => {
      const existing = (await c.query('SELECT id FROM budgets WHERE scope = $1 AND scope_id = $2 AND deleted_at IS NULL FOR UPDATE',
        [input.scope, input.scopeId])).rows[0] as Row | undefined;
      const id = (existing?.id as string | undefined) ?? newId('budget');
      if (existing) {
        await c.query('UPDATE budgets SET period = $1, timezone = $2, limit_pico = $3, thresholds = $4, updated_at = $5 WHERE id = $6',
          [input.period, input.timeZone, input.limit, JSON.stringify(input.thresholds), now, id]);
      } else {
        await c.query(`INSERT INTO budgets (id, account_id, scope, scope_id, period, timezone, limit_pico, thresholds, created_at, updated_at)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`,
        [id, input.accountId, input.scope, input.scopeId, input.period, input.timeZone, input.limit, JSON.stringify(input.thresholds), now]);
      }
      await bumpChangeLog(c);
      const budget = toBudget((await c.query('SELECT * FROM budgets WHERE id = $1', [id])).rows[0] as Row);
      // A budget set mid-period counts what its scope already spent since the period began.
      const since = periodStart(budget.period, budget.timeZone, now);
      const column = budget.scope === 'account' ? 'account_id' : budget.scope === 'project' ? 'project_id' : 'key_id';
      await c.query(`INSERT INTO budget_periods (budget_id, period_key, spent_pico)
        SELECT $1, $2, COALESCE(SUM(cost_pico - uncollected_pico), 0) FROM usage_records
        WHERE account_id = $3 AND ${column} = $4 AND created_at >= $5
        ON CONFLICT DO NOTHING`, [budget.id, periodKey(budget.period, budget.timeZone, now), budget.accountId, budget.scopeId, since]);
      return budget;
    });
  }

  async list(accountId: string): Promise<Budget[]> {
    const { rows } = await this.pool.query('SELECT * FROM budgets WHERE account_id = $1 AND deleted_at IS NULL ORDER BY created_at, id', [accountId]);
    return (rows as Row[]).map(toBudget);
  }

  async delete(budgetId: string, now: number): Promise<boolean> {
    const r = await this.pool.query('UPDATE budgets SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL', [now, budgetId]);
    return (r.rowCount ?? 0) > 0;
  }

  async status(accountId: string, now: number): Promise<BudgetStatus[]> {
    const budgets = await this.list(accountId);
    const out: BudgetStatus[] = [];
    for (const budget of budgets) {
      const key = periodKey(budget.period, budget.timeZone, now);
      const row = (await this.pool.query('SELECT spent_pico, held_pico FROM budget_periods WHERE budget_id = $1 AND period_key = $2',
        [budget.id, key])).rows[0] as Row | undefined;
      out.push({ budget, periodKey: key, spent: row ? BigInt(row.spent_pico as bigint) : 0n, held: row ? BigInt(row.held_pico as bigint) : 0n });
    }
    return out;
  }
}
