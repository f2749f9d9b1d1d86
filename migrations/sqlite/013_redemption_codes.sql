-- Redemption codes: batches an operator generates, and their codes, stored only as SHA-256 hashes. A code is
-- redeemed by one conditional UPDATE (redeemed_at IS NULL, not expired); grant_id is filled in once the grant,
-- idempotency key 'redeem:<code id>', exists. Times are ms since the epoch.

CREATE TABLE redemption_batches (
  id                  TEXT PRIMARY KEY,
  amount_pico         INTEGER NOT NULL CHECK (amount_pico > 0),
  code_count          INTEGER NOT NULL CHECK (code_count > 0),
  expires_at          INTEGER,
  per_account_limit   INTEGER CHECK (per_account_limit IS NULL OR per_account_limit > 0),
  grant_expires_days  INTEGER CHECK (grant_expires_days IS NULL OR grant_expires_days > 0),
  note                TEXT,
  created_at          INTEGER NOT NULL
);

CREATE TABLE redemption_codes (
  id           TEXT PRIMARY KEY,
  batch_id     TEXT NOT NULL REFERENCES redemption_batches(id),
  code_hash    TEXT NOT NULL UNIQUE,
  hint         TEXT NOT NULL,
  expires_at   INTEGER,
  redeemed_by  TEXT REFERENCES accounts(id),
  redeemed_at  INTEGER,
  grant_id     TEXT,
  created_at   INTEGER NOT NULL,
  CHECK ((redeemed_by IS NULL) = (redeemed_at IS NULL))
);
CREATE INDEX redemption_codes_by_batch ON redemption_codes(batch_id, redeemed_by);
CREATE INDEX redemption_codes_by_account ON redemption_codes(redeemed_by) WHERE redeemed_by IS NOT NULL;
CREATE INDEX redemption_codes_pending ON redemption_codes(redeemed_at) WHERE redeemed_at IS NOT NULL AND grant_id IS NULL;
CREATE INDEX ledger_refunds_by_account ON ledger_entries(account_id) WHERE kind = 'refund';
