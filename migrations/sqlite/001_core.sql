-- Core schema: accounts, projects, keys, grants (lots), the append-only ledger, holds, usage and versioned prices.
-- Money columns are INTEGER pico-credits (1e-12 credit) and say so in their names.

CREATE TABLE accounts (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  tier        TEXT NOT NULL DEFAULT 'free',
  created_at  INTEGER NOT NULL
);

CREATE TABLE projects (
  id          TEXT PRIMARY KEY,
  account_id  TEXT NOT NULL REFERENCES accounts(id),
  name        TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  archived_at INTEGER
);
CREATE INDEX projects_by_account ON projects(account_id);

CREATE TABLE api_keys (
  id           TEXT PRIMARY KEY,
  account_id   TEXT NOT NULL REFERENCES accounts(id),
  project_id   TEXT REFERENCES projects(id),
  kind         TEXT NOT NULL CHECK (kind IN ('project', 'admin')),
  name         TEXT NOT NULL,
  secret_hash  TEXT NOT NULL UNIQUE,
  redacted     TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  revoked_at   INTEGER
);
CREATE INDEX api_keys_by_account ON api_keys(account_id);

CREATE TABLE grants (
  id               TEXT PRIMARY KEY,
  account_id       TEXT NOT NULL REFERENCES accounts(id),
  source           TEXT NOT NULL CHECK (source IN ('signup', 'purchase', 'promo', 'redemption', 'auto_recharge', 'adjustment')),
  amount_pico      INTEGER NOT NULL CHECK (amount_pico > 0),
  remaining_pico   INTEGER NOT NULL CHECK (remaining_pico >= 0 AND remaining_pico <= amount_pico),
  priority         INTEGER NOT NULL,
  effective_at     INTEGER NOT NULL,
  expires_at       INTEGER,
  voided_at        INTEGER,
  expired_at       INTEGER,
  idempotency_key  TEXT NOT NULL UNIQUE,
  note             TEXT,
  created_at       INTEGER NOT NULL
);
CREATE INDEX grants_by_account ON grants(account_id);

CREATE TABLE ledger_entries (
  seq              INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id       TEXT NOT NULL,
  kind             TEXT NOT NULL CHECK (kind IN ('grant', 'hold', 'capture', 'release', 'expire', 'void', 'refund', 'adjustment')),
  amount_pico      INTEGER NOT NULL CHECK (amount_pico >= 0),
  grant_id         TEXT,
  request_id       TEXT,
  idempotency_key  TEXT NOT NULL UNIQUE,
  created_at       INTEGER NOT NULL
);
CREATE INDEX ledger_by_account ON ledger_entries(account_id, seq);
CREATE INDEX ledger_by_request ON ledger_entries(request_id) WHERE request_id IS NOT NULL;

CREATE TABLE holds (
  request_id   TEXT PRIMARY KEY,
  account_id   TEXT NOT NULL,
  amount_pico  INTEGER NOT NULL CHECK (amount_pico >= 0),
  project_id   TEXT,
  key_id       TEXT,
  model        TEXT NOT NULL,
  endpoint     TEXT NOT NULL,
  stream       INTEGER NOT NULL DEFAULT 0,
  created_at   INTEGER NOT NULL,
  closed_at    INTEGER
);
CREATE INDEX holds_open ON holds(account_id) WHERE closed_at IS NULL;

CREATE TABLE usage_records (
  request_id           TEXT PRIMARY KEY,
  account_id           TEXT NOT NULL,
  project_id           TEXT,
  key_id               TEXT,
  model                TEXT NOT NULL,
  endpoint             TEXT NOT NULL,
  input_tokens         INTEGER NOT NULL DEFAULT 0,
  cached_input_tokens  INTEGER NOT NULL DEFAULT 0,
  output_tokens        INTEGER NOT NULL DEFAULT 0,
  reasoning_tokens     INTEGER NOT NULL DEFAULT 0,
  cost_pico            INTEGER NOT NULL DEFAULT 0,
  uncollected_pico     INTEGER NOT NULL DEFAULT 0,
  hold_pico            INTEGER NOT NULL DEFAULT 0,
  price_effective_from INTEGER,
  cache_hit            INTEGER NOT NULL DEFAULT 0,
  status               TEXT NOT NULL,
  http_status          INTEGER NOT NULL,
  stream               INTEGER NOT NULL DEFAULT 0,
  aborted              INTEGER NOT NULL DEFAULT 0,
  latency_ms           INTEGER NOT NULL DEFAULT 0,
  created_at           INTEGER NOT NULL
);
CREATE INDEX usage_by_account_time ON usage_records(account_id, created_at);

CREATE TABLE prices (
  model                        TEXT NOT NULL,
  effective_from               INTEGER NOT NULL,
  input_pico_per_token         INTEGER NOT NULL CHECK (input_pico_per_token >= 0),
  cached_input_pico_per_token  INTEGER NOT NULL CHECK (cached_input_pico_per_token >= 0),
  output_pico_per_token        INTEGER NOT NULL CHECK (output_pico_per_token >= 0),
  max_output_tokens            INTEGER,
  max_input_tokens             INTEGER,
  mode                         TEXT NOT NULL,
  source                       TEXT NOT NULL,
  created_at                   INTEGER NOT NULL,
  PRIMARY KEY (model, effective_from)
);
