-- Per-project rate-limit overrides, by model family (or '*' for every model). Each can only tighten the tier's limit.
CREATE TABLE rate_limit_overrides (
  project_id  TEXT NOT NULL REFERENCES projects(id),
  family      TEXT NOT NULL,
  rpm         INTEGER,
  tpm         INTEGER,
  rpd         INTEGER,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (project_id, family)
);
