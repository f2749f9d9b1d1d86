-- Per-minute usage rollups for the OpenAI-shaped usage and costs API (/v1/organization/usage/*, /costs).
-- One row per (account, minute, kind, project, key, model). The trigger keeps it up to date in the very transaction
-- that inserts the usage record, so it can never miss a row or count one twice: a replayed record is skipped by
-- usage_records' ON CONFLICT (request_id) DO NOTHING, and a skipped insert fires no trigger.
-- Only model requests that ran are counted (status ok or cut_off); refusals and upstream failures are not.
-- project_id / key_id are '' when the usage record had none (a primary key column cannot be NULL-distinct).
CREATE TABLE usage_rollup_minutes (
  account_id          TEXT NOT NULL,
  minute              INTEGER NOT NULL,  -- unix seconds of the minute's start (UTC), a multiple of 60
  kind                TEXT NOT NULL CHECK (kind IN ('completions', 'embeddings')),
  project_id          TEXT NOT NULL,
  key_id              TEXT NOT NULL,
  model               TEXT NOT NULL,
  input_tokens        INTEGER NOT NULL,
  cached_input_tokens INTEGER NOT NULL,
  output_tokens       INTEGER NOT NULL,
  requests            INTEGER NOT NULL,
  -- Σ (cost_pico - uncollected_pico), what was actually captured, kept in two parts so that no sum can overflow
  -- SQLite's 64 bits (where + would silently turn to floating point): charged = charged_pico_hi × 2^20 + charged_pico_lo.
  charged_pico_hi     INTEGER NOT NULL,  -- Σ (charged >> 20)
  charged_pico_lo     INTEGER NOT NULL,  -- Σ (charged & 0xFFFFF)
  PRIMARY KEY (account_id, minute, kind, project_id, key_id, model)
) WITHOUT ROWID;

INSERT INTO usage_rollup_minutes (account_id, minute, kind, project_id, key_id, model, input_tokens, cached_input_tokens,
  output_tokens, requests, charged_pico_hi, charged_pico_lo)
SELECT account_id, (created_at / 60000) * 60, CASE WHEN endpoint = 'embeddings' THEN 'embeddings' ELSE 'completions' END,
  COALESCE(project_id, ''), COALESCE(key_id, ''), model, SUM(input_tokens), SUM(cached_input_tokens), SUM(output_tokens),
  COUNT(*), SUM((cost_pico - uncollected_pico) >> 20), SUM((cost_pico - uncollected_pico) & 1048575)
FROM usage_records WHERE status IN ('ok', 'cut_off')
GROUP BY 1, 2, 3, 4, 5, 6;

CREATE TRIGGER usage_rollup_on_insert AFTER INSERT ON usage_records
WHEN NEW.status IN ('ok', 'cut_off')
BEGIN
  INSERT INTO usage_rollup_minutes (account_id, minute, kind, project_id, key_id, model, input_tokens, cached_input_tokens,
    output_tokens, requests, charged_pico_hi, charged_pico_lo)
  VALUES (NEW.account_id, (NEW.created_at / 60000) * 60,
    CASE WHEN NEW.endpoint = 'embeddings' THEN 'embeddings' ELSE 'completions' END,
    COALESCE(NEW.project_id, ''), COALESCE(NEW.key_id, ''), NEW.model, NEW.input_tokens, NEW.cached_input_tokens,
    NEW.output_tokens, 1, (NEW.cost_pico - NEW.uncollected_pico) >> 20, (NEW.cost_pico - NEW.uncollected_pico) & 1048575)
  ON CONFLICT (account_id, minute, kind, project_id, key_id, model) DO UPDATE SET
    input_tokens = input_tokens + excluded.input_tokens,
    cached_input_tokens = cached_input_tokens + excluded.cached_input_tokens,
    output_tokens = output_tokens + excluded.output_tokens,
    requests = requests + 1,
    charged_pico_hi = charged_pico_hi + excluded.charged_pico_hi,
    charged_pico_lo = charged_pico_lo + excluded.charged_pico_lo;
END;
