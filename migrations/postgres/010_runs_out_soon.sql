-- Alert rules may be of kind runs_out_soon (the forecast run-out within N days).
ALTER TABLE alert_rules DROP CONSTRAINT IF EXISTS alert_rules_kind_check;
ALTER TABLE alert_rules ADD CONSTRAINT alert_rules_kind_check
  CHECK (kind IN ('low_balance', 'budget_threshold', 'grant_expiring', 'spend_spike', 'spend_threshold', 'runs_out_soon'));
