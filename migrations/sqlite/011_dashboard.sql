-- Dashboard sign-in: members (one account each; email unique), and sessions stored by the SHA-256 of their id.
CREATE TABLE dashboard_members (
  id             TEXT PRIMARY KEY,
  account_id     TEXT NOT NULL REFERENCES accounts(id),
  email          TEXT NOT NULL UNIQUE,
  role           TEXT NOT NULL CHECK (role IN ('owner', 'member', 'reader')),
  password_hash  TEXT NOT NULL,
  created_at     INTEGER NOT NULL
);
CREATE INDEX dashboard_members_by_account ON dashboard_members(account_id);

CREATE TABLE dashboard_sessions (
  id_hash     TEXT PRIMARY KEY,
  member_id   TEXT NOT NULL REFERENCES dashboard_members(id),
  csrf_token  TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
);

-- Invitations, stored by the SHA-256 of their token: to join an account with a role, or (account_id NULL, issued by
-- the operator) to create a new account. Each is used at most once.
CREATE TABLE dashboard_invites (
  token_hash  TEXT PRIMARY KEY,
  account_id  TEXT REFERENCES accounts(id),
  email       TEXT NOT NULL,
  role        TEXT NOT NULL CHECK (role IN ('owner', 'member', 'reader')),
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  used_at     INTEGER
);
