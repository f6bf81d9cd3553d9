-- Reservations get an owner and become leases; the sweeper returns holds instead of charging
-- estimates. This migration holds the live definitions of tollgate_reserve, tollgate_settle,
-- tollgate_refund, tollgate_sweep and tollgate_renew (earlier migrations' copies are superseded).
--
-- Lifecycle (docs/architecture.md): 1 open → 2 settled | 3 refunded | 4 expired;
-- 4 expired → 2 settled (a late settle charges the real usage) | 3 refunded (an explicit refund
-- makes it final). Lock order everywhere: reservations (by id) → users and keys (by user, key)
-- → channels (by id), so concurrent statements of several nodes cannot deadlock.

-- ── schema ───────────────────────────────────────────────────────────────────────────────────
-- A request id is unique per owner: "relay" (this app's /v1) or "service:<id>" (a credential of
-- the settlement API). Rows from before had no owner: relay ones were charge_on_expiry.
ALTER TABLE "reservations" ADD COLUMN "owner" VARCHAR(32);
UPDATE "reservations" SET "owner" = CASE WHEN "charge_on_expiry" THEN 'relay' ELSE 'service:0' END;
ALTER TABLE "reservations" ALTER COLUMN "owner" SET NOT NULL;
ALTER TABLE "reservations" DROP COLUMN "charge_on_expiry";
DROP INDEX "reservations_request_id_key";
CREATE UNIQUE INDEX "reservations_owner_request_id_key" ON "reservations"("owner", "request_id");

-- Two owners may use the same request id, so the consume log's copy is no longer unique (the
-- reservation is what makes a settle idempotent).
DROP INDEX "logs_request_id_key";
CREATE INDEX "logs_request_id_idx" ON "logs"("request_id");

DROP FUNCTION IF EXISTS tollgate_reserve(text, int, int, int, text, text, bigint, boolean, bigint, int, jsonb, boolean, boolean);
DROP FUNCTION IF EXISTS tollgate_settle(bigint, bigint, int, int, int, boolean, int, text, text, text, jsonb);
DROP FUNCTION IF EXISTS tollgate_refund(bigint, text);
DROP FUNCTION IF EXISTS tollgate_sweep(int);

-- ── reserve ──────────────────────────────────────────────────────────────────────────────────
-- Outcome 'reserved' | 'existing' (a replay: same owner, request id, key and model; nothing new is
-- held) | 'conflict' (the owner used this request id for another key, user or model) |
-- 'insufficient_user_quota' | 'pre_consume_token_quota_failed' | 'user_not_found' |
-- 'token_not_found'. Concurrent replays of one request id queue on an advisory lock, so the second
-- finds the first's row instead of a unique violation.
CREATE FUNCTION tollgate_reserve(
  p_owner text, p_request_id text, p_user_id int, p_token_id int, p_channel_id int, p_model text,
  p_group text, p_estimate bigint, p_always boolean, p_trust_threshold bigint, p_ttl_seconds int,
  p_pricing jsonb, p_free boolean
) RETURNS TABLE (outcome text, reservation_id bigint, held bigint, estimate bigint, trusted boolean,
                 expires_at timestamptz, pricing jsonb, user_quota bigint, token_remain bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
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
    VALUES (p_owner, p_request_id, p_user_id, p_token_id, p_channel_id, p_model, p_group, 1,
            v_hold, p_estimate, v_trusted, p_pricing, now() + make_interval(secs => p_ttl_seconds))
    RETURNING * INTO r;
  RETURN QUERY SELECT 'reserved'::text, r.id, r.held_quota, r.estimate, r.trusted, r.expires_at, r.pricing, v_quota, v_remain;
END $$;

-- ── settle ───────────────────────────────────────────────────────────────────────────────────
-- Settles a batch of the owner's reservations in one transaction (one item is a batch of one).
-- Per item: actual − held on wallet and key (the full charge when the sweeper had already
-- returned the hold), used quota on both, request_count when tokens were served, the consume log,
-- the hourly rollup, the reservation closed. Channels' used quota is added once per channel at
-- the end, in id order. Outcome per item (ord = its position in the arrays): 'settled' |
-- 'existing' (already settled: nothing charged again) | 'refunded' | 'not_found' (none, or
-- another owner's).
CREATE FUNCTION tollgate_settle(
  p_owner text, p_ids bigint[], p_quota bigint[], p_prompt_tokens int[], p_completion_tokens int[],
  p_channel_ids int[], p_is_stream boolean[], p_use_time int[], p_content text[], p_ip text[],
  p_upstream_request_id text[], p_other jsonb[]
) RETURNS TABLE (ord int, outcome text, log_id bigint, charged bigint, user_quota bigint,
                 token_remain bigint, user_id int, token_id int)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  i int; r reservations%ROWTYPE; v_delta bigint; v_quota bigint; v_remain bigint; v_username text;
  v_token_name text; v_log bigint; v_channel int; v_pos int;
  v_channels int[] := '{}'; v_channel_quota bigint[] := '{}';
BEGIN
  PERFORM 1 FROM reservations WHERE id = ANY(p_ids) ORDER BY id FOR UPDATE;
  FOR i IN SELECT x.n::int FROM unnest(p_ids) WITH ORDINALITY AS x(rid, n)
             LEFT JOIN reservations rr ON rr.id = x.rid
           ORDER BY rr.user_id NULLS FIRST, rr.token_id, x.n LOOP
    ord := i;
    SELECT * INTO r FROM reservations WHERE id = p_ids[i] AND owner = p_owner;
    IF NOT FOUND THEN
      outcome := 'not_found'; log_id := NULL; charged := NULL; user_quota := NULL; token_remain := NULL;
      user_id := NULL; token_id := NULL;
      RETURN NEXT; CONTINUE;
    END IF;
    user_id := r.user_id; token_id := r.token_id; user_quota := NULL; token_remain := NULL;
    IF r.status = 2 THEN
      outcome := 'existing'; log_id := r.log_id; charged := r.charged_quota;
      RETURN NEXT; CONTINUE;
    ELSIF r.status = 3 THEN
      outcome := 'refunded'; log_id := NULL; charged := NULL;
      RETURN NEXT; CONTINUE;
    END IF;
    -- open: the hold is still taken; expired: the sweeper gave it back
    v_delta := p_quota[i] - CASE WHEN r.status = 1 THEN r.held_quota ELSE 0 END;
    v_channel := COALESCE(p_channel_ids[i], r.channel_id);
    UPDATE users SET quota = quota - v_delta, used_quota = used_quota + p_quota[i],
                     request_count = request_count + CASE WHEN p_prompt_tokens[i] + p_completion_tokens[i] > 0 THEN 1 ELSE 0 END
      WHERE id = r.user_id RETURNING quota, username INTO v_quota, v_username;
    UPDATE tokens SET remain_quota = remain_quota - v_delta, used_quota = used_quota + p_quota[i],
                      accessed_at = now()
      WHERE id = r.token_id RETURNING remain_quota, name INTO v_remain, v_token_name;
    IF v_channel IS NOT NULL AND p_quota[i] <> 0 THEN
      v_pos := array_position(v_channels, v_channel);
      IF v_pos IS NULL THEN
        v_channels := v_channels || v_channel; v_channel_quota := v_channel_quota || p_quota[i];
      ELSE
        v_channel_quota[v_pos] := v_channel_quota[v_pos] + p_quota[i];
      END IF;
    END IF;
    INSERT INTO logs (user_id, type, content, username, token_name, model_name, quota, prompt_tokens,
                      completion_tokens, use_time, is_stream, channel_id, token_id, "group", ip,
                      request_id, upstream_request_id, other)
      VALUES (r.user_id, 2, COALESCE(p_content[i], ''), COALESCE(v_username, ''), COALESCE(v_token_name, ''),
              r.model_name, p_quota[i], p_prompt_tokens[i], p_completion_tokens[i], p_use_time[i],
              COALESCE(p_is_stream[i], false), v_channel, r.token_id, r.group, COALESCE(p_ip[i], ''),
              r.request_id, COALESCE(p_upstream_request_id[i], ''),
              r.pricing || COALESCE(p_other[i], '{}'::jsonb)
                || CASE WHEN r.status = 4 THEN jsonb_build_object('settled_after_expiry', true) ELSE '{}'::jsonb END)
      RETURNING id INTO v_log;
    INSERT INTO usage_rollups AS ur (user_id, model_name, bucket, request_count, quota, prompt_tokens, completion_tokens)
      VALUES (r.user_id, r.model_name, date_trunc('hour', now()), 1, p_quota[i], p_prompt_tokens[i], p_completion_tokens[i])
      ON CONFLICT (user_id, model_name, bucket) DO UPDATE SET
        request_count = ur.request_count + 1, quota = ur.quota + EXCLUDED.quota,
        prompt_tokens = ur.prompt_tokens + EXCLUDED.prompt_tokens,
        completion_tokens = ur.completion_tokens + EXCLUDED.completion_tokens;
    UPDATE reservations SET status = 2, charged_quota = p_quota[i], log_id = v_log, finished_at = now(),
                            channel_id = v_channel
      WHERE id = r.id;
    outcome := 'settled'; log_id := v_log; charged := p_quota[i]; user_quota := v_quota; token_remain := v_remain;
    RETURN NEXT;
  END LOOP;
  -- channels last and in id order: rows that many users' batches share
  FOR i IN SELECT s.k FROM generate_subscripts(v_channels, 1) AS s(k) ORDER BY v_channels[s.k] LOOP
    UPDATE channels SET used_quota = used_quota + v_channel_quota[i] WHERE id = v_channels[i];
  END LOOP;
END $$;

-- ── refund ───────────────────────────────────────────────────────────────────────────────────
-- Returns an open hold and closes the reservation as refunded. An expired one (its hold already
-- returned by the sweeper) becomes refunded too, so a settle arriving later is refused: between an
-- explicit refund and a settle, the first wins. Outcome 'refunded' | 'existing' (already
-- refunded: nothing returned twice) | 'settled' | 'not_found' (none, or another owner's).
CREATE FUNCTION tollgate_refund(p_owner text, p_reservation_id bigint, p_reason text)
RETURNS TABLE (outcome text, returned bigint, user_id int, token_id int)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE r reservations%ROWTYPE; v_returned bigint := 0;
BEGIN
  SELECT * INTO r FROM reservations WHERE id = p_reservation_id AND owner = p_owner FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found'::text, NULL::bigint, NULL::int, NULL::int; RETURN;
  END IF;
  IF r.status = 2 THEN
    RETURN QUERY SELECT 'settled'::text, 0::bigint, r.user_id, r.token_id; RETURN;
  ELSIF r.status = 3 THEN
    RETURN QUERY SELECT 'existing'::text, 0::bigint, r.user_id, r.token_id; RETURN;
  END IF;
  IF r.status = 1 AND r.held_quota <> 0 THEN
    UPDATE users SET quota = quota + r.held_quota WHERE id = r.user_id;
    UPDATE tokens SET remain_quota = remain_quota + r.held_quota, accessed_at = now() WHERE id = r.token_id;
    v_returned := r.held_quota;
  END IF;
  UPDATE reservations SET status = 3, finished_at = now(),
                          reason = COALESCE(p_reason, '') || CASE WHEN r.status = 4 THEN ' (after it had expired)' ELSE '' END
    WHERE id = r.id;
  RETURN QUERY SELECT 'refunded'::text, v_returned, r.user_id, r.token_id;
END $$;

-- ── sweep ────────────────────────────────────────────────────────────────────────────────────
-- Returns the holds of up to p_limit reservations whose lease ran out (their node died or lost
-- them) and marks them expired, each with a refund log row (quota 0: nothing is charged; `other`
-- records the estimate and the hold). SKIP LOCKED lets several nodes sweep at once; the rows are
-- then worked in (user, key) order, like every other statement.
CREATE FUNCTION tollgate_sweep(p_limit int)
RETURNS TABLE (reservation_id bigint, returned bigint, user_id int, token_id int)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE r reservations%ROWTYPE; v_ids bigint[]; v_username text; v_token_name text;
BEGIN
  SELECT array_agg(s.id) INTO v_ids FROM (
    SELECT id FROM reservations WHERE status = 1 AND expires_at < now()
    ORDER BY expires_at LIMIT p_limit FOR UPDATE SKIP LOCKED) s;
  IF v_ids IS NULL THEN RETURN; END IF;
  FOR r IN SELECT * FROM reservations WHERE id = ANY(v_ids) ORDER BY user_id, token_id, id LOOP
    IF r.held_quota <> 0 THEN
      UPDATE users SET quota = quota + r.held_quota WHERE id = r.user_id;
      UPDATE tokens SET remain_quota = remain_quota + r.held_quota WHERE id = r.token_id;
    END IF;
    UPDATE reservations SET status = 4, finished_at = now(), reason = 'expired' WHERE id = r.id;
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

-- ── renew ────────────────────────────────────────────────────────────────────────────────────
-- Extends the leases of open reservations that a node is still working on. SKIP LOCKED: a row
-- being settled or refunded right now needs no renewal, and the renewal never waits on a lock.
CREATE FUNCTION tollgate_renew(p_owner text, p_ids bigint[], p_ttl_seconds int)
RETURNS TABLE (reservation_id bigint, expires_at timestamptz)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  UPDATE reservations r SET expires_at = now() + make_interval(secs => p_ttl_seconds)
    FROM (SELECT id FROM reservations WHERE id = ANY(p_ids) AND owner = p_owner AND status = 1
          ORDER BY id FOR UPDATE SKIP LOCKED) s
    WHERE r.id = s.id
    RETURNING r.id, r.expires_at;
END $$;
