-- Batch API: which account owns each upstream file and batch (one upstream key serves every account), and each
-- batch's hold and settlement state.
CREATE TABLE batch_files (
  file_id     TEXT PRIMARY KEY,
  account_id  TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);
CREATE INDEX batch_files_by_account ON batch_files(account_id);

CREATE TABLE batches (
  batch_id          TEXT PRIMARY KEY,
  account_id        TEXT NOT NULL,
  project_id        TEXT,
  key_id            TEXT,
  model             TEXT NOT NULL,
  endpoint          TEXT NOT NULL,
  input_file_id     TEXT NOT NULL,
  estimate_pico     INTEGER NOT NULL CHECK (estimate_pico >= 0),
  hold_request_id   TEXT NOT NULL,
  hold_generation   INTEGER NOT NULL DEFAULT 0,
  state             TEXT NOT NULL CHECK (state IN ('pending', 'settling', 'settled')),
  cost_pico         INTEGER,
  created_at        INTEGER NOT NULL,
  settled_at        INTEGER
);
CREATE INDEX batches_by_account ON batches(account_id);
CREATE INDEX batches_unsettled ON batches(state) WHERE state <> 'settled';
