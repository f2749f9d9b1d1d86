-- The response cache: credits a cache hit saved (integer pico-credits), and per-scope cache settings.
ALTER TABLE usage_records ADD COLUMN saved_pico INTEGER NOT NULL DEFAULT 0;

-- One row per scope that set the cache: the account itself (scope_id = account id), a project or a key.
-- The most specific row governs a request; no row at all means the cache is off.
CREATE TABLE cache_settings (
  account_id   TEXT NOT NULL REFERENCES accounts(id),
  scope        TEXT NOT NULL CHECK (scope IN ('account', 'project', 'key')),
  scope_id     TEXT NOT NULL,
  enabled      INTEGER NOT NULL,
  ttl_seconds  INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (account_id, scope, scope_id)
);
