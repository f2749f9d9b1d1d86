-- Budgets: one per scope (account, project or key), with a hard limit per period and soft thresholds (alerts only).
-- budget_periods keeps each period's captured spend and open holds; holds remember which period rows they count against.
-- Lock order everywhere: account_balances, then budget_periods (by budget id, period key), then grants, then holds.
CREATE TABLE budgets (
  id           TEXT PRIMARY KEY,
  account_id   TEXT NOT NULL REFERENCES accounts(id),
  scope        TEXT NOT NULL CHECK (scope IN ('account', 'project', 'key')),
  scope_id     TEXT NOT NULL,
  period       TEXT NOT NULL CHECK (period IN ('day', 'week', 'month')),
  timezone     TEXT NOT NULL DEFAULT 'UTC',
  limit_pico   BIGINT NOT NULL CHECK (limit_pico >= 0),
  thresholds   TEXT NOT NULL DEFAULT '[50,80,100]',
  created_at   BIGINT NOT NULL,
  updated_at   BIGINT NOT NULL,
  deleted_at   BIGINT
);
CREATE UNIQUE INDEX budgets_one_per_scope ON budgets(scope, scope_id) WHERE deleted_at IS NULL;
CREATE INDEX budgets_by_account ON budgets(account_id);

CREATE TABLE budget_periods (
  budget_id    TEXT NOT NULL,
  period_key   TEXT NOT NULL,
  spent_pico   BIGINT NOT NULL DEFAULT 0 CHECK (spent_pico >= 0),
  held_pico    BIGINT NOT NULL DEFAULT 0 CHECK (held_pico >= 0),
  PRIMARY KEY (budget_id, period_key)
);

ALTER TABLE holds ADD COLUMN budget_refs TEXT[] NOT NULL DEFAULT '{}';

CREATE FUNCTION tollgate_period_key(p_period TEXT, p_timezone TEXT, p_now BIGINT) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE p_period
    WHEN 'month' THEN to_char(to_timestamp(p_now / 1000.0) AT TIME ZONE p_timezone, 'YYYY-MM')
    WHEN 'day' THEN to_char(to_timestamp(p_now / 1000.0) AT TIME ZONE p_timezone, 'YYYY-MM-DD')
    ELSE to_char(date_trunc('week', to_timestamp(p_now / 1000.0) AT TIME ZONE p_timezone), 'YYYY-MM-DD')
  END
$$;

-- Replaces 002's function: after the balance check, every budget that governs the request (its account's, project's or
-- key's) must also have room: spent + held + amount <= limit, per its current period row, locked in a fixed order.
DROP FUNCTION tollgate_hold_batch(TEXT[], TEXT[], BIGINT[], BIGINT, TEXT, TEXT[], TEXT[], TEXT[], TEXT[], BOOLEAN[]);
CREATE FUNCTION tollgate_hold_batch(
  p_requests TEXT[], p_accounts TEXT[], p_amounts BIGINT[], p_now BIGINT, p_replica TEXT,
  p_projects TEXT[], p_keys TEXT[], p_models TEXT[], p_endpoints TEXT[], p_streams BOOLEAN[]
) RETURNS TABLE (request_id TEXT, held BOOLEAN, available BIGINT, budget_id TEXT, budget_spent BIGINT, budget_limit BIGINT)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  i INT;
  v_held BIGINT;
  v_spendable BIGINT;
  v_available BIGINT;
  v_refs TEXT[];
  v_ok BOOLEAN;
  b RECORD;
  v_key TEXT;
  v_spent BIGINT;
  v_bheld BIGINT;
BEGIN
  FOR i IN 1 .. coalesce(array_length(p_requests, 1), 0) LOOP
    request_id := p_requests[i];
    budget_id := NULL; budget_spent := NULL; budget_limit := NULL;
    SELECT ab.held_pico INTO v_held FROM account_balances ab WHERE ab.account_id = p_accounts[i] FOR UPDATE;
    IF NOT FOUND THEN
      held := FALSE; available := 0; RETURN NEXT;
      CONTINUE;
    END IF;
    SELECT COALESCE(SUM(g.remaining_pico), 0) INTO v_spendable FROM grants g
     WHERE g.account_id = p_accounts[i] AND g.voided_at IS NULL AND g.expired_at IS NULL
       AND g.effective_at <= p_now AND (g.expires_at IS NULL OR g.expires_at > p_now);
    v_available := v_spendable - v_held;
    available := v_available;
    IF v_available < p_amounts[i] THEN
      held := FALSE; RETURN NEXT;
      CONTINUE;
    END IF;
    v_refs := '{}';
    v_ok := TRUE;
    FOR b IN SELECT bu.id, bu.period, bu.timezone, bu.limit_pico FROM budgets bu
      WHERE bu.account_id = p_accounts[i] AND bu.deleted_at IS NULL
        AND ((bu.scope = 'account' AND bu.scope_id = p_accounts[i]) OR (bu.scope = 'project' AND bu.scope_id = p_projects[i])
          OR (bu.scope = 'key' AND bu.scope_id = p_keys[i]))
      ORDER BY bu.id
    LOOP
      v_key := tollgate_period_key(b.period, b.timezone, p_now);
      INSERT INTO budget_periods (budget_id, period_key) VALUES (b.id, v_key) ON CONFLICT DO NOTHING;
      SELECT bp.spent_pico, bp.held_pico INTO v_spent, v_bheld FROM budget_periods bp
       WHERE bp.budget_id = b.id AND bp.period_key = v_key FOR UPDATE;
      IF v_spent + v_bheld + p_amounts[i] > b.limit_pico THEN
        v_ok := FALSE; budget_id := b.id; budget_spent := v_spent; budget_limit := b.limit_pico;
        EXIT;
      END IF;
      v_refs := v_refs || (b.id || '@' || v_key);
    END LOOP;
    IF NOT v_ok THEN
      held := FALSE; RETURN NEXT;
      CONTINUE;
    END IF;
    INSERT INTO holds (request_id, account_id, amount_pico, replica_id, project_id, key_id, model, endpoint, stream, created_at, budget_refs)
    VALUES (p_requests[i], p_accounts[i], p_amounts[i], p_replica, p_projects[i], p_keys[i], p_models[i], p_endpoints[i],
            p_streams[i], p_now, v_refs)
    ON CONFLICT ON CONSTRAINT holds_pkey DO NOTHING;
    IF FOUND THEN
      UPDATE account_balances SET held_pico = held_pico + p_amounts[i] WHERE account_id = p_accounts[i];
      UPDATE budget_periods bp SET held_pico = bp.held_pico + p_amounts[i]
        FROM unnest(v_refs) AS r(ref)
       WHERE bp.budget_id = split_part(r.ref, '@', 1) AND bp.period_key = split_part(r.ref, '@', 2);
      INSERT INTO ledger_entries (account_id, kind, amount_pico, request_id, idempotency_key, created_at)
      VALUES (p_accounts[i], 'hold', p_amounts[i], p_requests[i], 'hold:' || p_requests[i], p_now)
      ON CONFLICT (idempotency_key) DO NOTHING;
    END IF;
    held := TRUE;
    RETURN NEXT;
  END LOOP;
END $$;
