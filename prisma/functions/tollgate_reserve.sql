-- tollgate_reserve: the live definition, applied by scripts/migrate.mjs after the migrations whenever this
-- file changes (prisma/functions/README.md). The reservation lifecycle: docs/reservations.md.
--
-- Outcome 'reserved' | 'existing' (a replay: same owner, request id, key and model; nothing new is
-- held) | 'conflict' (the owner used this request id for another key, user or model) |
-- 'insufficient_user_quota' | 'pre_consume_token_quota_failed' | 'user_not_found' |
-- 'token_not_found'. Concurrent replays of one request id queue on an advisory lock, so the second
-- finds the first's row instead of a unique violation.
CREATE OR REPLACE FUNCTION tollgate_reserve(
  p_owner text, p_request_id text, p_user_id int, p_token_id int, p_channel_id int, p_model text,
  p_group text, p_estimate bigint, p_always boolean, p_trust_threshold bigint, p_ttl_seconds int,
  p_pricing jsonb, p_free boolean
) RETURNS TABLE (outcome text, reservation_id bigint, held bigint, estimate bigint, trusted boolean,
                 expires_at timestamptz, pricing jsonb, user_quota bigint, token_remain bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  -- reservation states, as lib/quota/schemas.ts RESERVATION_STATUS names them
  c_open CONSTANT smallint := 1; c_settled CONSTANT smallint := 2; c_refunded CONSTANT smallint := 3; c_expired CONSTANT smallint := 4;
  v_quota bigint; v_remain bigint; v_unlimited boolean; v_trusted boolean; v_hold bigint;
  r reservations%ROWTYPE;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(p_owner || chr(31) || p_request_id, 0));
  SELECT * INTO r FROM reservations WHERE owner = p_owner AND request_id = p_request_id;
  IF FOUND THEN
    IF r.user_id <> p_user_id OR r.token_id <> p_token_id OR r.model_name <> p_model THEN
      RETURN QUERY SELECT 'conflict'::text, NULL::bigint, 0::bigint, NULL::bigint, false, NULL::timestamptz, NULL::jsonb, NULL::bigint, NULL::bigint;
    ELSE
      RETURN QUERY SELECT 'existing'::text, r.id, r.held_quota, r.estimate, r.trusted, r.expires_at, r.pricing, NULL::bigint, NULL::bigint;
    END IF;
    RETURN;
  END IF;
  SELECT u.quota INTO v_quota FROM users u WHERE u.id = p_user_id;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'user_not_found'::text, NULL::bigint, 0::bigint, NULL::bigint, false, NULL::timestamptz, NULL::jsonb, NULL::bigint, NULL::bigint;
    RETURN;
  END IF;
  SELECT t.remain_quota, t.unlimited_quota INTO v_remain, v_unlimited FROM tokens t
    WHERE t.id = p_token_id AND t.user_id = p_user_id;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'token_not_found'::text, NULL::bigint, 0::bigint, NULL::bigint, false, NULL::timestamptz, NULL::jsonb, v_quota, NULL::bigint;
    RETURN;
  END IF;
  -- a free model (enable_free_model_pre_consume off) is served whatever the balances
  IF p_free THEN
    v_trusted := false; v_hold := 0;
  -- new-api's order: the wallet checks come first, then trust, then the key's hold
  ELSIF v_quota <= 0 OR v_quota < p_estimate THEN
    RETURN QUERY SELECT 'insufficient_user_quota'::text, NULL::bigint, 0::bigint, NULL::bigint, false, NULL::timestamptz, NULL::jsonb, v_quota, v_remain;
    RETURN;
  ELSE
    v_trusted := NOT p_always AND p_trust_threshold > 0 AND v_quota > p_trust_threshold
               AND (v_unlimited OR v_remain > p_trust_threshold);
    v_hold := CASE WHEN v_trusted THEN 0 ELSE p_estimate END;
  END IF;
  IF v_hold > 0 THEN
    UPDATE users SET quota = quota - v_hold
      WHERE id = p_user_id AND quota >= v_hold AND quota > 0
      RETURNING quota INTO v_quota;
    IF NOT FOUND THEN
      SELECT u.quota INTO v_quota FROM users u WHERE u.id = p_user_id;
      RETURN QUERY SELECT 'insufficient_user_quota'::text, NULL::bigint, 0::bigint, NULL::bigint, false, NULL::timestamptz, NULL::jsonb, v_quota, v_remain;
      RETURN;
    END IF;
    UPDATE tokens SET remain_quota = remain_quota - v_hold, accessed_at = now()
      WHERE id = p_token_id AND (unlimited_quota OR remain_quota >= v_hold)
      RETURNING remain_quota INTO v_remain;
    IF NOT FOUND THEN
      -- give the wallet hold back inside the same statement: nothing is visible outside it
      UPDATE users SET quota = quota + v_hold WHERE id = p_user_id RETURNING quota INTO v_quota;
      SELECT t.remain_quota INTO v_remain FROM tokens t WHERE t.id = p_token_id;
      RETURN QUERY SELECT 'pre_consume_token_quota_failed'::text, NULL::bigint, 0::bigint, NULL::bigint, false, NULL::timestamptz, NULL::jsonb, v_quota, v_remain;
      RETURN;
    END IF;
  END IF;
  INSERT INTO reservations (owner, request_id, user_id, token_id, channel_id, model_name, "group", status,
                            held_quota, estimate, trusted, pricing, expires_at)
    VALUES (p_owner, p_request_id, p_user_id, p_token_id, p_channel_id, p_model, p_group, c_open,
            v_hold, p_estimate, v_trusted, p_pricing, now() + make_interval(secs => p_ttl_seconds))
    RETURNING * INTO r;
  RETURN QUERY SELECT 'reserved'::text, r.id, r.held_quota, r.estimate, r.trusted, r.expires_at, r.pricing, v_quota, v_remain;
END $$;
