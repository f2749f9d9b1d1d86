-- Core schema for PostgreSQL: the same records as SQLite, plus account_balances, the one row per account that every
-- posting locks first (so holds are single conditional statements and postings on one account are serialized), and
-- replicas, whose heartbeats say whose open holds may be released after a crash.
-- Money columns are BIGINT pico-credits (1e-12 credit) and say so in their names.

CREATE TABLE accounts (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  tier        TEXT NOT NULL DEFAULT 'free',
  created_at  BIGINT NOT NULL
);

CREATE TABLE account_balances (
  account_id  TEXT PRIMARY KEY REFERENCES accounts(id),
  held_pico   BIGINT NOT NULL DEFAULT 0 CHECK (held_pico >= 0)
);

CREATE TABLE projects (
  id          TEXT PRIMARY KEY,
  account_id  TEXT NOT NULL REFERENCES accounts(id),
  name        TEXT NOT NULL,
  created_at  BIGINT NOT NULL,
  archived_at BIGINT
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
  created_at   BIGINT NOT NULL,
  revoked_at   BIGINT
);
CREATE INDEX api_keys_by_account ON api_keys(account_id);

CREATE TABLE grants (
  id               TEXT PRIMARY KEY,
  account_id       TEXT NOT NULL REFERENCES accounts(id),
  source           TEXT NOT NULL CHECK (source IN ('signup', 'purchase', 'promo', 'redemption', 'auto_recharge', 'adjustment')),
  amount_pico      BIGINT NOT NULL CHECK (amount_pico > 0),
  remaining_pico   BIGINT NOT NULL CHECK (remaining_pico >= 0 AND remaining_pico <= amount_pico),
  priority         INTEGER NOT NULL,
  effective_at     BIGINT NOT NULL,
  expires_at       BIGINT,
  voided_at        BIGINT,
  expired_at       BIGINT,
  idempotency_key  TEXT NOT NULL UNIQUE,
  note             TEXT,
  created_at       BIGINT NOT NULL
);
CREATE INDEX grants_by_account ON grants(account_id);

CREATE TABLE ledger_entries (
  seq              BIGSERIAL PRIMARY KEY,
  account_id       TEXT NOT NULL,
  kind             TEXT NOT NULL CHECK (kind IN ('grant', 'hold', 'capture', 'release', 'expire', 'void', 'refund', 'adjustment')),
  amount_pico      BIGINT NOT NULL CHECK (amount_pico >= 0),
  grant_id         TEXT,
  request_id       TEXT,
  idempotency_key  TEXT NOT NULL UNIQUE,
  created_at       BIGINT NOT NULL
);
CREATE INDEX ledger_by_account ON ledger_entries(account_id, seq);
CREATE INDEX ledger_by_request ON ledger_entries(request_id) WHERE request_id IS NOT NULL;

CREATE TABLE holds (
  request_id   TEXT PRIMARY KEY,
  account_id   TEXT NOT NULL,
  amount_pico  BIGINT NOT NULL CHECK (amount_pico >= 0),
  replica_id   TEXT NOT NULL,
  project_id   TEXT,
  key_id       TEXT,
  model        TEXT NOT NULL,
  endpoint     TEXT NOT NULL,
  stream       BOOLEAN NOT NULL DEFAULT FALSE,
  created_at   BIGINT NOT NULL,
  closed_at    BIGINT
);
CREATE INDEX holds_open ON holds(replica_id) WHERE closed_at IS NULL;

CREATE TABLE replicas (
  id            TEXT PRIMARY KEY,
  heartbeat_at  BIGINT NOT NULL,
  started_at    BIGINT NOT NULL
);

CREATE TABLE usage_records (
  request_id           TEXT PRIMARY KEY,
  account_id           TEXT NOT NULL,
  project_id           TEXT,
  key_id               TEXT,
  model                TEXT NOT NULL,
  endpoint             TEXT NOT NULL,
  input_tokens         BIGINT NOT NULL DEFAULT 0,
  cached_input_tokens  BIGINT NOT NULL DEFAULT 0,
  output_tokens        BIGINT NOT NULL DEFAULT 0,
  reasoning_tokens     BIGINT NOT NULL DEFAULT 0,
  cost_pico            BIGINT NOT NULL DEFAULT 0,
  uncollected_pico     BIGINT NOT NULL DEFAULT 0,
  hold_pico            BIGINT NOT NULL DEFAULT 0,
  price_effective_from BIGINT,
  cache_hit            BOOLEAN NOT NULL DEFAULT FALSE,
  status               TEXT NOT NULL,
  http_status          INTEGER NOT NULL,
  stream               BOOLEAN NOT NULL DEFAULT FALSE,
  aborted              BOOLEAN NOT NULL DEFAULT FALSE,
  latency_ms           BIGINT NOT NULL DEFAULT 0,
  created_at           BIGINT NOT NULL
);
CREATE INDEX usage_by_account_time ON usage_records(account_id, created_at);

CREATE TABLE prices (
  model                        TEXT NOT NULL,
  effective_from               BIGINT NOT NULL,
  input_pico_per_token         BIGINT NOT NULL CHECK (input_pico_per_token >= 0),
  cached_input_pico_per_token  BIGINT NOT NULL CHECK (cached_input_pico_per_token >= 0),
  output_pico_per_token        BIGINT NOT NULL CHECK (output_pico_per_token >= 0),
  max_output_tokens            INTEGER,
  max_input_tokens             INTEGER,
  mode                         TEXT NOT NULL,
  source                       TEXT NOT NULL,
  created_at                   BIGINT NOT NULL,
  PRIMARY KEY (model, effective_from)
);

-- Bumped by every statement that changes what replicas cache (keys, prices, grants), so a replica can notice
-- another process's change with one cheap read.
CREATE TABLE change_log (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  version  BIGINT NOT NULL
);
INSERT INTO change_log (id, version) VALUES (1, 0);
