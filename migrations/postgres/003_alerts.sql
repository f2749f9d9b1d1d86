-- Alerts on PostgreSQL, the same tables as SQLite: rules (what to watch, where to tell), the delivery log (one row per
-- crossing and destination) and every delivery attempt. JSON columns are TEXT so a payload is signed and sent byte for
-- byte as stored; credits in them are exact decimal strings; times are ms since the epoch.

CREATE TABLE alert_rules (
  id             TEXT PRIMARY KEY,
  account_id     TEXT NOT NULL REFERENCES accounts(id),
  kind           TEXT NOT NULL CHECK (kind IN ('low_balance', 'budget_threshold', 'grant_expiring', 'spend_spike', 'spend_threshold')),
  params         TEXT NOT NULL,
  channels       TEXT NOT NULL,
  enabled        BOOLEAN NOT NULL DEFAULT TRUE,
  state          TEXT NOT NULL DEFAULT '{}',
  state_version  INTEGER NOT NULL DEFAULT 0,
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL
);
CREATE INDEX alert_rules_by_account ON alert_rules(account_id);

CREATE TABLE alert_deliveries (
  id                TEXT PRIMARY KEY,
  account_id        TEXT NOT NULL REFERENCES accounts(id),
  rule_id           TEXT NOT NULL,
  kind              TEXT NOT NULL,
  event_id          TEXT NOT NULL,
  dedupe_key        TEXT NOT NULL,
  channel_key       TEXT NOT NULL,
  channel_type      TEXT NOT NULL CHECK (channel_type IN ('webhook', 'email')),
  payload           TEXT NOT NULL,
  status            TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts          INTEGER NOT NULL DEFAULT 0,
  next_attempt_at   BIGINT,
  claim_token       TEXT,
  last_status_code  INTEGER,
  last_error        TEXT,
  created_at        BIGINT NOT NULL,
  updated_at        BIGINT NOT NULL,
  delivered_at      BIGINT,
  UNIQUE (account_id, dedupe_key, channel_key)
);
CREATE INDEX alert_deliveries_due ON alert_deliveries(next_attempt_at) WHERE status = 'pending';
CREATE INDEX alert_deliveries_by_account ON alert_deliveries(account_id, created_at);
CREATE INDEX alert_deliveries_by_time ON alert_deliveries(created_at);

CREATE TABLE alert_delivery_attempts (
  delivery_id   TEXT NOT NULL REFERENCES alert_deliveries(id),
  attempt       INTEGER NOT NULL,
  attempted_at  BIGINT NOT NULL,
  ok            BOOLEAN NOT NULL,
  status_code   INTEGER,
  error         TEXT,
  duration_ms   INTEGER NOT NULL,
  PRIMARY KEY (delivery_id, attempt)
);
