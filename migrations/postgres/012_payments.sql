-- Payments: the operator's plans, one row per provider payment (exactly one grant each), refunds and disputes taken
-- back, and auto-recharge settings with one claimed attempt per (account, episode). Money in cents and pico-credits.

CREATE TABLE payment_plans (
  id              TEXT PRIMARY KEY,
  name            TEXT NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('pack', 'custom')),
  currency        TEXT NOT NULL,
  price_cents     BIGINT CHECK (price_cents IS NULL OR price_cents > 0),
  credits_pico    BIGINT CHECK (credits_pico IS NULL OR credits_pico > 0),
  bonus_pico      BIGINT NOT NULL DEFAULT 0 CHECK (bonus_pico >= 0),
  min_cents       BIGINT,
  max_cents       BIGINT,
  pico_per_cent   BIGINT CHECK (pico_per_cent IS NULL OR pico_per_cent > 0),
  active          BOOLEAN NOT NULL DEFAULT TRUE,
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL
);

CREATE TABLE payments (
  id                      TEXT PRIMARY KEY,
  provider                TEXT NOT NULL,
  kind                    TEXT NOT NULL CHECK (kind IN ('checkout', 'auto_recharge')),
  account_id              TEXT NOT NULL REFERENCES accounts(id),
  plan_id                 TEXT,
  payment_intent_id       TEXT UNIQUE,
  amount_cents            BIGINT NOT NULL CHECK (amount_cents > 0),
  currency                TEXT NOT NULL,
  credits_pico            BIGINT NOT NULL CHECK (credits_pico > 0),
  status                  TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  grant_id                TEXT,
  taken_back_cents        BIGINT NOT NULL DEFAULT 0,
  clawback_due_pico       BIGINT NOT NULL DEFAULT 0,
  clawed_back_pico        BIGINT NOT NULL DEFAULT 0,
  error                   TEXT,
  created_at              BIGINT NOT NULL,
  updated_at              BIGINT NOT NULL
);
CREATE INDEX payments_by_account ON payments(account_id, created_at);

CREATE TABLE payment_reversals (
  id            TEXT PRIMARY KEY,
  payment_id    TEXT NOT NULL REFERENCES payments(id),
  kind          TEXT NOT NULL CHECK (kind IN ('refund', 'dispute')),
  amount_cents  BIGINT NOT NULL CHECK (amount_cents >= 0),
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL
);

CREATE TABLE recharge_settings (
  account_id            TEXT PRIMARY KEY REFERENCES accounts(id),
  enabled               BOOLEAN NOT NULL DEFAULT TRUE,
  threshold_pico        BIGINT NOT NULL CHECK (threshold_pico >= 0),
  amount_pico           BIGINT CHECK (amount_pico IS NULL OR amount_pico > 0),
  target_pico           BIGINT CHECK (target_pico IS NULL OR target_pico > 0),
  monthly_cap_pico      BIGINT NOT NULL CHECK (monthly_cap_pico >= 0),
  customer_id           TEXT,
  payment_method_id     TEXT,
  episode               INTEGER NOT NULL DEFAULT 1,
  consecutive_failures  INTEGER NOT NULL DEFAULT 0,
  retry_at              BIGINT NOT NULL DEFAULT 0,
  last_error            TEXT,
  updated_at            BIGINT NOT NULL
);

CREATE TABLE recharge_attempts (
  account_id    TEXT NOT NULL,
  episode       INTEGER NOT NULL,
  payment_id    TEXT,
  status        TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'capped')),
  month_key     TEXT NOT NULL,
  credits_pico  BIGINT NOT NULL DEFAULT 0,
  amount_cents  BIGINT NOT NULL DEFAULT 0,
  error         TEXT,
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL,
  PRIMARY KEY (account_id, episode)
);
CREATE INDEX recharge_attempts_by_month ON recharge_attempts(account_id, month_key);
