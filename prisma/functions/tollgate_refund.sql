-- tollgate_refund: the live definition, applied by scripts/migrate.mjs after the migrations whenever this
-- file changes (prisma/functions/README.md). The reservation lifecycle: docs/reservations.md.
--
-- Returns an open hold and closes the reservation as refunded. An expired one (its hold already
-- returned by the sweeper) becomes refunded too, so a settle arriving later is refused: between an
-- explicit refund and a settle, the first wins. Outcome 'refunded' | 'existing' (already
-- refunded: nothing returned twice) | 'settled' | 'not_found' (none, or another owner's).
CREATE OR REPLACE FUNCTION tollgate_refund(p_owner text, p_reservation_id bigint, p_reason text)
RETURNS TABLE (outcome text, returned bigint, user_id int, token_id int)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  -- reservation states, as lib/quota/schemas.ts RESERVATION_STATUS names them
  c_open CONSTANT smallint := 1; c_settled CONSTANT smallint := 2; c_refunded CONSTANT smallint := 3; c_expired CONSTANT smallint := 4;
  r reservations%ROWTYPE; v_returned bigint := 0;
BEGIN
  SELECT * INTO r FROM reservations WHERE id = p_reservation_id AND owner = p_owner FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found'::text, NULL::bigint, NULL::int, NULL::int; RETURN;
  END IF;
  IF r.status = c_settled THEN
    RETURN QUERY SELECT 'settled'::text, 0::bigint, r.user_id, r.token_id; RETURN;
  ELSIF r.status = c_refunded THEN
    RETURN QUERY SELECT 'existing'::text, 0::bigint, r.user_id, r.token_id; RETURN;
  END IF;
  IF r.status = c_open AND r.held_quota <> 0 THEN
    UPDATE users SET quota = quota + r.held_quota WHERE id = r.user_id;
    UPDATE tokens SET remain_quota = remain_quota + r.held_quota, accessed_at = now() WHERE id = r.token_id;
    v_returned := r.held_quota;
  END IF;
  UPDATE reservations SET status = c_refunded, finished_at = now(),
                          reason = COALESCE(p_reason, '') || CASE WHEN r.status = c_expired THEN ' (after it had expired)' ELSE '' END
    WHERE id = r.id;
  RETURN QUERY SELECT 'refunded'::text, v_returned, r.user_id, r.token_id;
END $$;
