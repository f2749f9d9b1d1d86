-- Budgets: one per scope (account, project or key), with a hard limit per period and soft thresholds (alerts only).
-- budget_periods keeps each period's captured spend; holds remember which period rows they count against.
CREATE TABLE budgets (
  id           TEXT PRIMARY KEY,
  account_id   TEXT NOT NULL REFERENCES accounts(id),
  scope        TEXT NOT NULL CHECK (scope IN ('account', 'project', 'key')),
  scope_id     TEXT NOT NULL,
  period       TEXT NOT NULL CHECK (period IN ('day', 'week', 'month')),
  timezone     TEXT NOT NULL DEFAULT 'UTC',
  limit_pico   INTEGER NOT NULL CHECK (limit_pico >= 0),
  thresholds   TEXT NOT NULL DEFAULT '[50,80,100]',
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  deleted_at   INTEGER
);
CREATE UNIQUE INDEX budgets_one_per_scope ON budgets(scope, scope_id) WHERE deleted_at IS NULL;
CREATE INDEX budgets_by_account ON budgets(account_id);

CREATE TABLE budget_periods (
  budget_id    TEXT NOT NULL,
  period_key   TEXT NOT NULL,
  spent_pico   INTEGER NOT NULL DEFAULT 0 CHECK (spent_pico >= 0),
  held_pico    INTEGER NOT NULL DEFAULT 0 CHECK (held_pico >= 0),
  PRIMARY KEY (budget_id, period_key)
);

ALTER TABLE holds ADD COLUMN budget_refs TEXT NOT NULL DEFAULT '[]';
