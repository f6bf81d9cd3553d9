-- The hot path of the billing core (lib/quota): each phase of a request is one statement, so one
-- database round trip, and atomic. Locks are always taken in the order reservation -> user -> key
-- (-> channel), so concurrent phases cannot deadlock. Every balance condition is checked by the
-- UPDATE that changes the balance (never read-then-write).

-- Reserve (pre-consume). Returns outcome 'reserved' | 'existing' | 'insufficient_user_quota' |
-- 'pre_consume_token_quota_failed' | 'user_not_found' | 'token_not_found', with balances for messages.
CREATE OR REPLACE FUNCTION tollgate_reserve(
  p_request_id text, p_user_id int, p_token_id int, p_channel_id int, p_model text, p_group text,
  p_estimate bigint, p_always boolean, p_trust_threshold bigint, p_ttl_seconds int, p_pricing jsonb,
  p_free boolean, p_charge_on_expiry boolean
) RETURNS TABLE (outcome text, reservation_id bigint, held bigint, trusted boolean,
                 expires_at timestamptz, user_quota bigint, token_remain bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_quota bigint; v_remain bigint; v_unlimited boolean; v_trusted boolean; v_hold bigint;
  r reservations%ROWTYPE;
BEGIN
  SELECT * INTO r FROM reservations WHERE request_id = p_request_id;
  IF FOUND THEN
    RETURN QUERY SELECT 'existing'::text, r.id, r.held_quota, r.trusted, r.expires_at, NULL::bigint, NULL::bigint;
    RETURN;
  END IF;
  SELECT u.quota INTO v_quota FROM users u WHERE u.id = p_user_id;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'user_not_found'::text, NULL::bigint, 0::bigint, false, NULL::timestamptz, NULL::bigint, NULL::bigint;
    RETURN;
  END IF;
  SELECT t.remain_quota, t.unlimited_quota INTO v_remain, v_unlimited FROM tokens t
    WHERE t.id = p_token_id AND t.user_id = p_user_id;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'token_not_found'::text, NULL::bigint, 0::bigint, false, NULL::timestamptz, v_quota, NULL::bigint;
    RETURN;
  END IF;
  -- a free model (enable_free_model_pre_consume off) is served whatever the balances
  IF p_free THEN
    v_trusted := false; v_hold := 0;
  -- new-api's order: the wallet checks come first, then trust, then the token hold
  ELSIF v_quota <= 0 OR v_quota < p_estimate THEN
    RETURN QUERY SELECT 'insufficient_user_quota'::text, NULL::bigint, 0::bigint, false, NULL::timestamptz, v_quota, v_remain;
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
      RETURN QUERY SELECT 'insufficient_user_quota'::text, NULL::bigint, 0::bigint, false, NULL::timestamptz, v_quota, v_remain;
      RETURN;
    END IF;
    UPDATE tokens SET remain_quota = remain_quota - v_hold, accessed_at = now()
      WHERE id = p_token_id AND (unlimited_quota OR remain_quota >= v_hold)
      RETURNING remain_quota INTO v_remain;
    IF NOT FOUND THEN
      -- give the wallet hold back inside the same statement: nothing is visible outside it
      UPDATE users SET quota = quota + v_hold WHERE id = p_user_id RETURNING quota INTO v_quota;
      SELECT t.remain_quota INTO v_remain FROM tokens t WHERE t.id = p_token_id;
      RETURN QUERY SELECT 'pre_consume_token_quota_failed'::text, NULL::bigint, 0::bigint, false, NULL::timestamptz, v_quota, v_remain;
      RETURN;
    END IF;
  END IF;
  INSERT INTO reservations (request_id, user_id, token_id, channel_id, model_name, "group", status,
                            held_quota, estimate, trusted, charge_on_expiry, pricing, expires_at)
    VALUES (p_request_id, p_user_id, p_token_id, p_channel_id, p_model, p_group, 1,
            v_hold, p_estimate, v_trusted, p_charge_on_expiry, p_pricing,
            now() + make_interval(secs => p_ttl_seconds))
    RETURNING * INTO r;
  RETURN QUERY SELECT 'reserved'::text, r.id, r.held_quota, r.trusted, r.expires_at, v_quota, v_remain;
END $$;

-- Settle (post-consume). Applies actual - held to wallet and key, counts usage, writes the consume
-- log and the hourly rollup, closes the reservation. Outcome 'settled' | 'existing' (already
-- settled: nothing charged again) | 'refunded' | 'not_found'. A reservation the sweeper already
-- expired is still settled (its hold was returned, so the full amount is charged): tokens served
-- are never lost.
CREATE OR REPLACE FUNCTION tollgate_settle(
  p_reservation_id bigint, p_quota bigint, p_prompt_tokens int, p_completion_tokens int,
  p_channel_id int, p_is_stream boolean, p_use_time int, p_content text, p_ip text,
  p_upstream_request_id text, p_other jsonb
) RETURNS TABLE (outcome text, log_id bigint, charged bigint, user_quota bigint, token_remain bigint,
                 user_id int, token_id int)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  r reservations%ROWTYPE; v_delta bigint; v_quota bigint; v_remain bigint; v_username text;
  v_token_name text; v_log bigint; v_channel int;
BEGIN
  SELECT * INTO r FROM reservations WHERE id = p_reservation_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found'::text, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, NULL::int, NULL::int;
    RETURN;
  END IF;
  IF r.status = 2 THEN
    RETURN QUERY SELECT 'existing'::text, r.log_id, r.charged_quota, NULL::bigint, NULL::bigint, r.user_id, r.token_id;
    RETURN;
  ELSIF r.status = 3 THEN
    RETURN QUERY SELECT 'refunded'::text, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, r.user_id, r.token_id;
    RETURN;
  END IF;
  v_delta := p_quota - CASE WHEN r.status = 1 THEN r.held_quota ELSE 0 END;
  v_channel := COALESCE(p_channel_id, r.channel_id);
  UPDATE users SET quota = quota - v_delta, used_quota = used_quota + p_quota,
                   request_count = request_count + 1
    WHERE id = r.user_id RETURNING quota, username INTO v_quota, v_username;
  UPDATE tokens SET remain_quota = remain_quota - v_delta, used_quota = used_quota + p_quota,
                    accessed_at = now()
    WHERE id = r.token_id RETURNING remain_quota, name INTO v_remain, v_token_name;
  IF v_channel IS NOT NULL AND p_quota <> 0 THEN
    UPDATE channels SET used_quota = used_quota + p_quota WHERE id = v_channel;
  END IF;
  INSERT INTO logs (user_id, type, content, username, token_name, model_name, quota, prompt_tokens,
                    completion_tokens, use_time, is_stream, channel_id, token_id, "group", ip,
                    request_id, upstream_request_id, other)
    VALUES (r.user_id, 2, COALESCE(p_content, ''), COALESCE(v_username, ''), COALESCE(v_token_name, ''),
            r.model_name, p_quota, p_prompt_tokens, p_completion_tokens, p_use_time, p_is_stream,
            v_channel, r.token_id, r.group, COALESCE(p_ip, ''), r.request_id,
            COALESCE(p_upstream_request_id, ''), r.pricing || COALESCE(p_other, '{}'::jsonb))
    RETURNING id INTO v_log;
  INSERT INTO usage_rollups AS ur (user_id, model_name, bucket, request_count, quota, prompt_tokens, completion_tokens)
    VALUES (r.user_id, r.model_name, date_trunc('hour', now()), 1, p_quota, p_prompt_tokens, p_completion_tokens)
    ON CONFLICT (user_id, model_name, bucket) DO UPDATE SET
      request_count = ur.request_count + 1, quota = ur.quota + EXCLUDED.quota,
      prompt_tokens = ur.prompt_tokens + EXCLUDED.prompt_tokens,
      completion_tokens = ur.completion_tokens + EXCLUDED.completion_tokens;
  UPDATE reservations SET status = 2, charged_quota = p_quota, log_id = v_log, finished_at = now(),
                          channel_id = v_channel
    WHERE id = r.id;
  RETURN QUERY SELECT 'settled'::text, v_log, p_quota, v_quota, v_remain, r.user_id, r.token_id;
END $$;

-- Refund: returns an open hold. Outcome 'refunded' | 'existing' (already refunded or expired:
-- nothing returned twice) | 'settled' | 'not_found'.
CREATE OR REPLACE FUNCTION tollgate_refund(p_reservation_id bigint, p_reason text)
RETURNS TABLE (outcome text, returned bigint, user_id int, token_id int)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE r reservations%ROWTYPE;
BEGIN
  SELECT * INTO r FROM reservations WHERE id = p_reservation_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found'::text, NULL::bigint, NULL::int, NULL::int; RETURN;
  END IF;
  IF r.status = 2 THEN
    RETURN QUERY SELECT 'settled'::text, 0::bigint, r.user_id, r.token_id; RETURN;
  ELSIF r.status <> 1 THEN
    RETURN QUERY SELECT 'existing'::text, 0::bigint, r.user_id, r.token_id; RETURN;
  END IF;
  IF r.held_quota <> 0 THEN
    UPDATE users SET quota = quota + r.held_quota WHERE id = r.user_id;
    UPDATE tokens SET remain_quota = remain_quota + r.held_quota, accessed_at = now() WHERE id = r.token_id;
  END IF;
  UPDATE reservations SET status = 3, finished_at = now(), reason = COALESCE(p_reason, '') WHERE id = r.id;
  RETURN QUERY SELECT 'refunded'::text, r.held_quota, r.user_id, r.token_id;
END $$;

-- Sweeper: closes up to p_limit expired reservations. A hold of the settlement API is returned
-- (status 4); a relay reservation (charge_on_expiry: the upstream was called and the node died
-- before settling) is settled at its estimate, so a crash never loses the charge. SKIP LOCKED lets
-- several nodes sweep at once without waiting for or closing the same row twice.
CREATE OR REPLACE FUNCTION tollgate_sweep(p_limit int)
RETURNS TABLE (reservation_id bigint, returned bigint, charged bigint, user_id int, token_id int)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE r reservations%ROWTYPE;
BEGIN
  FOR r IN SELECT * FROM reservations WHERE status = 1 AND reservations.expires_at < now()
           ORDER BY reservations.expires_at LIMIT p_limit FOR UPDATE SKIP LOCKED LOOP
    reservation_id := r.id; user_id := r.user_id; token_id := r.token_id;
    IF r.charge_on_expiry THEN
      PERFORM tollgate_settle(r.id, r.estimate, 0, 0, NULL, false, 0,
        'settled at the estimate: the request was never settled', '', '',
        jsonb_build_object('usage_source', 'estimate', 'swept', true));
      returned := 0; charged := r.estimate;
    ELSE
      IF r.held_quota <> 0 THEN
        UPDATE users SET quota = quota + r.held_quota WHERE id = r.user_id;
        UPDATE tokens SET remain_quota = remain_quota + r.held_quota WHERE id = r.token_id;
      END IF;
      UPDATE reservations SET status = 4, finished_at = now(), reason = 'expired' WHERE id = r.id;
      returned := r.held_quota; charged := 0;
    END IF;
    RETURN NEXT;
  END LOOP;
END $$;
