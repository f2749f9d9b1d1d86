-- Per-minute usage rollups for the OpenAI-shaped usage and costs API (/v1/organization/usage/*, /costs).
-- One row per (account, minute, kind, project, key, model). A statement-level trigger keeps it up to date in the very
-- transaction that inserts the usage records: it sums the statement's newly inserted rows (a settlement batch is one
-- INSERT … SELECT unnest) and does one UPSERT per distinct rollup key, in key order so concurrent batches lock rollup
-- rows in the same order. Replays are skipped by usage_records' ON CONFLICT DO NOTHING and so never reach the
-- transition table; no row committed out of order can be missed (no background roller, no watermark).
-- Only model requests that ran are counted (status ok or cut_off); refusals and upstream failures are not.
-- project_id / key_id are '' when the usage record had none.
CREATE TABLE usage_rollup_minutes (
  account_id          TEXT NOT NULL,
  minute              BIGINT NOT NULL,  -- unix seconds of the minute's start (UTC), a multiple of 60
  kind                TEXT NOT NULL CHECK (kind IN ('completions', 'embeddings')),
  project_id          TEXT NOT NULL,
  key_id              TEXT NOT NULL,
  model               TEXT NOT NULL,
  input_tokens        BIGINT NOT NULL,
  cached_input_tokens BIGINT NOT NULL,
  output_tokens       BIGINT NOT NULL,
  requests            BIGINT NOT NULL,
  -- Σ (cost_pico - uncollected_pico), what was actually captured; NUMERIC so that no sum can overflow 64 bits
  -- (a bigint overflow here would fail the settlement that inserts the usage record).
  charged_pico        NUMERIC(40, 0) NOT NULL,
  PRIMARY KEY (account_id, minute, kind, project_id, key_id, model)
);

INSERT INTO usage_rollup_minutes (account_id, minute, kind, project_id, key_id, model, input_tokens, cached_input_tokens,
  output_tokens, requests, charged_pico)
SELECT account_id, (created_at / 60000) * 60, CASE WHEN endpoint = 'embeddings' THEN 'embeddings' ELSE 'completions' END,
  COALESCE(project_id, ''), COALESCE(key_id, ''), model, SUM(input_tokens), SUM(cached_input_tokens), SUM(output_tokens),
  COUNT(*), SUM(cost_pico - uncollected_pico)::numeric
FROM usage_records WHERE status IN ('ok', 'cut_off')
GROUP BY 1, 2, 3, 4, 5, 6;

CREATE FUNCTION tollgate_usage_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO usage_rollup_minutes AS r (account_id, minute, kind, project_id, key_id, model, input_tokens,
    cached_input_tokens, output_tokens, requests, charged_pico)
  SELECT account_id, (created_at / 60000) * 60 AS minute,
    CASE WHEN endpoint = 'embeddings' THEN 'embeddings' ELSE 'completions' END AS kind,
    COALESCE(project_id, '') AS project_id, COALESCE(key_id, '') AS key_id, model,
    SUM(input_tokens), SUM(cached_input_tokens), SUM(output_tokens), COUNT(*), SUM(cost_pico - uncollected_pico)::numeric
  FROM inserted WHERE status IN ('ok', 'cut_off')
  GROUP BY 1, 2, 3, 4, 5, 6
  ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (account_id, minute, kind, project_id, key_id, model) DO UPDATE SET
    input_tokens = r.input_tokens + excluded.input_tokens,
    cached_input_tokens = r.cached_input_tokens + excluded.cached_input_tokens,
    output_tokens = r.output_tokens + excluded.output_tokens,
    requests = r.requests + excluded.requests,
    charged_pico = r.charged_pico + excluded.charged_pico;
  RETURN NULL;
END $$;

CREATE TRIGGER usage_rollup_on_insert AFTER INSERT ON usage_records
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION tollgate_usage_rollup();
