-- Payments: the operator's plans, one row per provider payment (exactly one grant each), refunds and disputes taken
-- back, and auto-recharge settings with one claimed attempt per (account, episode). Money in cents and pico-credits.

CREATE TABLE payment_plans (
  id              TEXT PRIMARY KEY,
  name            TEXT NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('pack', 'custom')),
  currency        TEXT NOT NULL,
  price_cents     INTEGER CHECK (price_cents IS NULL OR price_cents > 0),
  credits_pico    INTEGER CHECK (credits_pico IS NULL OR credits_pico > 0),
  bonus_pico      INTEGER NOT NULL DEFAULT 0 CHECK (bonus_pico >= 0),
  min_cents       INTEGER,
  max_cents       INTEGER,
  pico_per_cent   INTEGER CHECK (pico_per_cent IS NULL OR pico_per_cent > 0),
  active          INTEGER NOT NULL DEFAULT 1,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);

CREATE TABLE payments (
  id                      TEXT PRIMARY KEY,
  provider                TEXT NOT NULL,
  kind                    TEXT NOT NULL CHECK (kind IN ('checkout', 'auto_recharge')),
  account_id              TEXT NOT NULL REFERENCES accounts(id),
  plan_id                 TEXT,
  payment_intent_id       TEXT UNIQUE,
  amount_cents            INTEGER NOT NULL CHECK (amount_cents > 0),
  currency                TEXT NOT NULL,
  credits_pico            INTEGER NOT NULL CHECK (credits_pico > 0),
  status                  TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  grant_id                TEXT,
  taken_back_cents        INTEGER NOT NULL DEFAULT 0,
  clawback_due_pico       INTEGER NOT NULL DEFAULT 0,
  clawed_back_pico        INTEGER NOT NULL DEFAULT 0,
  error                   TEXT,
  created_at              INTEGER NOT NULL,
  updated_at              INTEGER NOT NULL
);
CREATE INDEX payments_by_account ON payments(account_id, created_at);

CREATE TABLE payment_reversals (
  id            TEXT PRIMARY KEY,
  payment_id    TEXT NOT NULL REFERENCES payments(id),
  kind          TEXT NOT NULL CHECK (kind IN ('refund', 'dispute')),
  amount_cents  INTEGER NOT NULL CHECK (amount_cents >= 0),
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);

CREATE TABLE recharge_settings (
  account_id            TEXT PRIMARY KEY REFERENCES accounts(id),
  enabled               INTEGER NOT NULL DEFAULT 1,
  threshold_pico        INTEGER NOT NULL CHECK (threshold_pico >= 0),
  amount_pico           INTEGER CHECK (amount_pico IS NULL OR amount_pico > 0),
  target_pico           INTEGER CHECK (target_pico IS NULL OR target_pico > 0),
  monthly_cap_pico      INTEGER NOT NULL CHECK (monthly_cap_pico >= 0),
  customer_id           TEXT,
  payment_method_id     TEXT,
  episode               INTEGER NOT NULL DEFAULT 1,
  consecutive_failures  INTEGER NOT NULL DEFAULT 0,
  retry_at              INTEGER NOT NULL DEFAULT 0,
  last_error            TEXT,
  updated_at            INTEGER NOT NULL
);

CREATE TABLE recharge_attempts (
  account_id    TEXT NOT NULL,
  episode       INTEGER NOT NULL,
  payment_id    TEXT,
  status        TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'capped')),
  month_key     TEXT NOT NULL,
  credits_pico  INTEGER NOT NULL DEFAULT 0,
  amount_cents  INTEGER NOT NULL DEFAULT 0,
  error         TEXT,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  PRIMARY KEY (account_id, episode)
);
CREATE INDEX recharge_attempts_by_month ON recharge_attempts(account_id, month_key);
