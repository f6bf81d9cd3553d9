-- tollgate_sweep: the live definition, applied by scripts/migrate.mjs after the migrations whenever this
-- file changes (prisma/functions/README.md). The reservation lifecycle: docs/reservations.md.
--
-- Returns the holds of up to p_limit reservations whose lease ran out (their node died or lost
-- them) and marks them expired, each with a refund log row (quota 0: nothing is charged; `other`
-- records the estimate and the hold). SKIP LOCKED lets several nodes sweep at once; the rows are
-- then worked in (user, key) order, like every other statement.
CREATE OR REPLACE FUNCTION tollgate_sweep(p_limit int)
RETURNS TABLE (reservation_id bigint, returned bigint, user_id int, token_id int)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  -- reservation states, as lib/quota/schemas.ts RESERVATION_STATUS names them
  c_open CONSTANT smallint := 1; c_settled CONSTANT smallint := 2; c_refunded CONSTANT smallint := 3; c_expired CONSTANT smallint := 4;
  r reservations%ROWTYPE; v_ids bigint[]; v_username text; v_token_name text;
BEGIN
  SELECT array_agg(s.id) INTO v_ids FROM (
    SELECT id FROM reservations WHERE status = c_open AND expires_at < now()
    ORDER BY expires_at LIMIT p_limit FOR UPDATE SKIP LOCKED) s;
  IF v_ids IS NULL THEN RETURN; END IF;
  FOR r IN SELECT * FROM reservations WHERE id = ANY(v_ids) ORDER BY user_id, token_id, id LOOP
    IF r.held_quota <> 0 THEN
      UPDATE users SET quota = quota + r.held_quota WHERE id = r.user_id;
      UPDATE tokens SET remain_quota = remain_quota + r.held_quota WHERE id = r.token_id;
    END IF;
    UPDATE reservations SET status = c_expired, finished_at = now(), reason = 'expired' WHERE id = r.id;
    SELECT u.username INTO v_username FROM users u WHERE u.id = r.user_id;
    SELECT t.name INTO v_token_name FROM tokens t WHERE t.id = r.token_id;
    INSERT INTO logs (user_id, type, content, username, token_name, model_name, quota, token_id, "group",
                      channel_id, request_id, other)
      VALUES (r.user_id, 6, 'The reservation expired before it was settled: its hold was returned, nothing was charged',
              COALESCE(v_username, ''), COALESCE(v_token_name, ''), r.model_name, 0, r.token_id, r.group,
              r.channel_id, r.request_id,
              jsonb_build_object('reservation_id', r.id, 'expired', true, 'estimate', r.estimate,
                                 'held_quota', r.held_quota, 'trusted', r.trusted, 'owner', r.owner));
    reservation_id := r.id; returned := r.held_quota; user_id := r.user_id; token_id := r.token_id;
    RETURN NEXT;
  END LOOP;
END $$;
