// Budgets on SQLite: definitions and each period's captured spend (open holds live in the serving process's memory).
import { newId } from '../../domain/ids/ids.js';
import type { Budget } from '../../domain/budgets/budget.js';
import { periodKey, periodStart } from '../../domain/budgets/period.js';
import type { BudgetStatus, NewBudget } from '../store.js';
import { toBudget } from '../budget-rows.js';
import type { SqliteDb } from './database.js';

type Row = Record<string, unknown>;

export class SqliteBudgets {
  constructor(private readonly db: SqliteDb) {}

  set(input: NewBudget, now: number): Budget {
    return this.db.transaction(() => {
      const existing = this.db.prepare('SELECT id FROM budgets WHERE scope = ? AND scope_id = ? AND deleted_at IS NULL')
        .get(input.scope, input.scopeId) as Row | undefined;
      const id = (existing?.id as string | undefined) ?? newId('budget');
      if (existing) {
        this.db.prepare(`UPDATE budgets SET period = ?, timezone = ?, limit_pico = ?, thresholds = ?, updated_at = ? WHERE id = ?`)
          .run(input.period, input.timeZone, input.limit, JSON.stringify(input.thresholds), now, id);
      } else {
        this.db.prepare(`INSERT INTO budgets (id, account_id, scope, scope_id, period, timezone, limit_pico, thresholds, created_at, updated_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
          .run(id, input.accountId, input.scope, input.scopeId, input.period, input.timeZone, input.limit, JSON.stringify(input.thresholds), now, now);
      }
      const budget = toBudget(this.db.prepare('SELECT * FROM budgets WHERE id = ?').get(id) as Row);
      // A budget set mid-period counts what its scope already spent since the period began.
      const since = periodStart(budget.period, budget.timeZone, now);
      const column = budget.scope === 'account' ? 'account_id' : budget.scope === 'project' ? 'project_id' : 'key_id';
      const spent = this.db.prepare(`SELECT COALESCE(SUM(cost_pico - uncollected_pico), 0) AS s FROM usage_records
        WHERE account_id = ? AND ${column} = ? AND created_at >= ?`).get(budget.accountId, budget.scopeId, since) as Row;
      this.db.prepare('INSERT OR IGNORE INTO budget_periods (budget_id, period_key, spent_pico) VALUES (?, ?, ?)')
        .run(budget.id, periodKey(budget.period, budget.timeZone, now), BigInt(spent.s as bigint));
      return budget;
    }).immediate();
  }

  list(accountId: string): Budget[] {
    return (this.db.prepare('SELECT * FROM budgets WHERE account_id = ? AND deleted_at IS NULL ORDER BY created_at, id').all(accountId) as Row[])
      .map(toBudget);
  }

  delete(budgetId: string, now: number): boolean {
    return this.db.prepare('UPDATE budgets SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL').run(now, budgetId).changes > 0;
  }

  spent(budgetId: string, key: string): bigint {
    const row = this.db.prepare('SELECT spent_pico FROM budget_periods WHERE budget_id = ? AND period_key = ?').get(budgetId, key) as Row | undefined;
    return row ? BigInt(row.spent_pico as bigint) : 0n;
  }

  /** Spend per budget in its current period; `held` is what this store knows (on SQLite, the wallet adds in-flight holds). */
  status(accountId: string, now: number): BudgetStatus[] {
    return this.list(accountId).map((budget) => {
      const key = periodKey(budget.period, budget.timeZone, now);
      return { budget, periodKey: key, spent: this.spent(budget.id, key), held: 0n };
    });
  }
}
