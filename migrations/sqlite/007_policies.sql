-- Request policies per account, project or key (one per scope): allowed models, output and prompt caps, a default
-- output length and model substitutions. JSON columns hold the model list and the substitution map.
CREATE TABLE request_policies (
  scope                  TEXT NOT NULL CHECK (scope IN ('account', 'project', 'key')),
  scope_id               TEXT NOT NULL,
  account_id             TEXT NOT NULL REFERENCES accounts(id),
  allowed_models         TEXT,
  max_output_tokens      INTEGER,
  default_output_tokens  INTEGER,
  max_prompt_tokens      INTEGER,
  substitutions          TEXT NOT NULL DEFAULT '{}',
  created_at             INTEGER NOT NULL,
  updated_at             INTEGER NOT NULL,
  PRIMARY KEY (scope, scope_id)
);
CREATE INDEX request_policies_account ON request_policies (account_id);
