-- tollgate_hold_batch: places many holds in one round trip. For each request, in array order (the caller sorts by
-- account so concurrent batches lock rows in the same order): lock the account's balance row, then — with a fresh
-- snapshot, taken after the lock, so no concurrent capture can be missed — sum the active grants and place the hold
-- only if the available balance covers it. Returns each request's outcome and the available balance it saw.
CREATE FUNCTION tollgate_hold_batch(
  p_requests TEXT[], p_accounts TEXT[], p_amounts BIGINT[], p_now BIGINT, p_replica TEXT,
  p_projects TEXT[], p_keys TEXT[], p_models TEXT[], p_endpoints TEXT[], p_streams BOOLEAN[]
) RETURNS TABLE (request_id TEXT, held BOOLEAN, available BIGINT)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  i INT;
  v_held BIGINT;
  v_spendable BIGINT;
  v_available BIGINT;
BEGIN
  FOR i IN 1 .. coalesce(array_length(p_requests, 1), 0) LOOP
    SELECT b.held_pico INTO v_held FROM account_balances b WHERE b.account_id = p_accounts[i] FOR UPDATE;
    IF NOT FOUND THEN
      request_id := p_requests[i]; held := FALSE; available := 0; RETURN NEXT;
      CONTINUE;
    END IF;
    SELECT COALESCE(SUM(g.remaining_pico), 0) INTO v_spendable FROM grants g
     WHERE g.account_id = p_accounts[i] AND g.voided_at IS NULL AND g.expired_at IS NULL
       AND g.effective_at <= p_now AND (g.expires_at IS NULL OR g.expires_at > p_now);
    v_available := v_spendable - v_held;
    request_id := p_requests[i];
    available := v_available;
    IF v_available < p_amounts[i] THEN
      held := FALSE;
    ELSE
      INSERT INTO holds (request_id, account_id, amount_pico, replica_id, project_id, key_id, model, endpoint, stream, created_at)
      VALUES (p_requests[i], p_accounts[i], p_amounts[i], p_replica, p_projects[i], p_keys[i], p_models[i], p_endpoints[i],
              p_streams[i], p_now)
      ON CONFLICT ON CONSTRAINT holds_pkey DO NOTHING;
      IF FOUND THEN
        UPDATE account_balances SET held_pico = held_pico + p_amounts[i] WHERE account_id = p_accounts[i];
        INSERT INTO ledger_entries (account_id, kind, amount_pico, request_id, idempotency_key, created_at)
        VALUES (p_accounts[i], 'hold', p_amounts[i], p_requests[i], 'hold:' || p_requests[i], p_now)
        ON CONFLICT (idempotency_key) DO NOTHING;
      END IF;
      held := TRUE;
    END IF;
    RETURN NEXT;
  END LOOP;
END $$;
