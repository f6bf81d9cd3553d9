-- A request that outlives its reservation (a stream longer than ReservationTtlSeconds) was charged
-- its estimate by the sweeper, and its real settle then found the reservation closed: the real usage
-- was lost. Now the sweeper marks such reservations 'charged_at_estimate' and the first settle that
-- still arrives replaces the estimate by the real charge, once (balances moved by the difference,
-- the consume log and the hourly rollup corrected, so the ledger audit still holds).

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
  IF r.status = 2 AND r.reason = 'charged_at_estimate' THEN
    -- the sweeper charged the estimate (the request outlived its reservation, e.g. a long stream):
    -- the real usage replaces it once, by the difference, and the consume log is corrected
    v_delta := p_quota - r.charged_quota;
    v_channel := COALESCE(p_channel_id, r.channel_id);
    UPDATE users SET quota = quota - v_delta, used_quota = used_quota + v_delta
      WHERE id = r.user_id RETURNING quota INTO v_quota;
    UPDATE tokens SET remain_quota = remain_quota - v_delta, used_quota = used_quota + v_delta, accessed_at = now()
      WHERE id = r.token_id RETURNING remain_quota INTO v_remain;
    IF v_channel IS NOT NULL AND v_delta <> 0 THEN
      UPDATE channels SET used_quota = used_quota + v_delta WHERE id = v_channel;
    END IF;
    UPDATE logs SET quota = p_quota, prompt_tokens = p_prompt_tokens, completion_tokens = p_completion_tokens,
                    use_time = p_use_time, is_stream = p_is_stream, channel_id = v_channel,
                    content = 'settled after its reservation had expired (the estimate charged meanwhile was replaced)',
                    other = r.pricing || COALESCE(p_other, '{}'::jsonb)
                            || jsonb_build_object('estimate_charged_first', r.charged_quota)
      WHERE id = r.log_id;
    UPDATE usage_rollups SET quota = quota + v_delta, prompt_tokens = prompt_tokens + p_prompt_tokens,
                             completion_tokens = completion_tokens + p_completion_tokens
      WHERE user_id = r.user_id AND model_name = r.model_name
        AND bucket = (SELECT date_trunc('hour', l.created_at) FROM logs l WHERE l.id = r.log_id);
    UPDATE reservations SET charged_quota = p_quota, reason = 'charged_at_estimate, corrected', finished_at = now(),
                            channel_id = v_channel
      WHERE id = r.id;
    RETURN QUERY SELECT 'settled'::text, r.log_id, p_quota, v_quota, v_remain, r.user_id, r.token_id;
    RETURN;
  ELSIF r.status = 2 THEN
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
      -- a settle that still arrives replaces the estimate with the real usage (tollgate_settle)
      UPDATE reservations SET reason = 'charged_at_estimate' WHERE id = r.id;
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
