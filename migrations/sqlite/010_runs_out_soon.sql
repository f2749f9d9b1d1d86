-- Alert rules may be of kind runs_out_soon (the forecast run-out within N days). SQLite cannot alter a CHECK
-- constraint, so the table is rebuilt with the same columns, rows and index.
CREATE TABLE alert_rules_010 (
  id             TEXT PRIMARY KEY,
  account_id     TEXT NOT NULL REFERENCES accounts(id),
  kind           TEXT NOT NULL CHECK (kind IN ('low_balance', 'budget_threshold', 'grant_expiring', 'spend_spike', 'spend_threshold', 'runs_out_soon')),
  params         TEXT NOT NULL,
  channels       TEXT NOT NULL,
  enabled        INTEGER NOT NULL DEFAULT 1,
  state          TEXT NOT NULL DEFAULT '{}',
  state_version  INTEGER NOT NULL DEFAULT 0,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
);
INSERT INTO alert_rules_010 (id, account_id, kind, params, channels, enabled, state, state_version, created_at, updated_at)
  SELECT id, account_id, kind, params, channels, enabled, state, state_version, created_at, updated_at FROM alert_rules;
DROP TABLE alert_rules;
ALTER TABLE alert_rules_010 RENAME TO alert_rules;
CREATE INDEX alert_rules_by_account ON alert_rules(account_id);
