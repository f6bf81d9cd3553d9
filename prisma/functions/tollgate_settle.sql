-- tollgate_settle: the live definition, applied by scripts/migrate.mjs after the migrations whenever this
-- file changes (prisma/functions/README.md). The reservation lifecycle: docs/reservations.md.
--
-- Settles a batch of the owner's reservations in one transaction (one item is a batch of one).
-- Per item: actual − held on wallet and key (the full charge when the sweeper had already
-- returned the hold), used quota on both, request_count when tokens were served, the consume log,
-- the user's hourly and daily rollups, the reservation closed. At the end, once per key and in key
-- order: channels' used quota (by id), then the hourly and daily totals across users (per model,
-- channel and group, and per model alone). Days are those of the StatsTimeZone option's zone, read
-- once per call under a shared lock that saving another zone takes exclusively while it rebuilds
-- the daily rollups (tollgate_rebuild_daily_rollups): a settle never writes a day of the old zone
-- into tables rebuilt in the new one.
-- Alerts (docs/notifications.md), per item, on the user row the item already locked: the low-balance
-- alert when the balance after a non-zero charge is below the threshold and the alert is armed (it
-- then disarms until a credit brings the balance back: tollgate_rearm_low_balance), and the
-- spend-rate alert when the user's spend over the last hour (from usage_rollups) exceeds their
-- limit, at most once an hour. Both only write an outbox row (notifications); the sending is a
-- worker's, after commit. Outcome per item (ord = its position in the arrays): 'settled' |
-- 'existing' (already settled: nothing charged again) | 'refunded' | 'not_found' (none, or
-- another owner's).
CREATE OR REPLACE FUNCTION tollgate_settle(
  p_owner text, p_ids bigint[], p_quota bigint[], p_prompt_tokens int[], p_completion_tokens int[],
  p_channel_ids int[], p_is_stream boolean[], p_use_time int[], p_content text[], p_ip text[],
  p_upstream_request_id text[], p_other jsonb[]
) RETURNS TABLE (ord int, outcome text, log_id bigint, charged bigint, user_quota bigint,
                 token_remain bigint, user_id int, token_id int)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  -- reservation states, as lib/quota/schemas.ts RESERVATION_STATUS names them
  c_open CONSTANT smallint := 1; c_settled CONSTANT smallint := 2; c_refunded CONSTANT smallint := 3; c_expired CONSTANT smallint := 4;
  i int; r reservations%ROWTYPE; v_delta bigint; v_quota bigint; v_remain bigint; v_username text;
  v_token_name text; v_log bigint; v_channel int; v_pos int;
  v_channels int[] := '{}'; v_channel_quota bigint[] := '{}';
  -- the settled items, for usage_totals at the end
  t_model text[] := '{}'; t_channel int[] := '{}'; t_group text[] := '{}'; t_quota bigint[] := '{}';
  t_prompt bigint[] := '{}'; t_completion bigint[] := '{}';
  v_hour timestamptz := date_trunc('hour', now(), 'UTC');
  v_day timestamptz;
  -- alerts
  v_setting jsonb; v_notified boolean; v_spend_at timestamptz; v_threshold bigint; v_global bigint;
  v_limit bigint; v_spent bigint; v_type text;
BEGIN
  PERFORM pg_advisory_xact_lock_shared(hashtext('tollgate:stats_zone'));
  v_day := date_trunc('day', now(),
    COALESCE((SELECT value::jsonb #>> '{}' FROM options WHERE key = 'StatsTimeZone'), 'UTC'));
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
    IF r.status = c_settled THEN
      outcome := 'existing'; log_id := r.log_id; charged := r.charged_quota;
      RETURN NEXT; CONTINUE;
    ELSIF r.status = c_refunded THEN
      outcome := 'refunded'; log_id := NULL; charged := NULL;
      RETURN NEXT; CONTINUE;
    END IF;
    -- open: the hold is still taken; expired: the sweeper gave it back
    v_delta := p_quota[i] - CASE WHEN r.status = c_open THEN r.held_quota ELSE 0 END;
    v_channel := COALESCE(p_channel_ids[i], r.channel_id);
    UPDATE users SET quota = quota - v_delta, used_quota = used_quota + p_quota[i],
                     request_count = request_count + CASE WHEN p_prompt_tokens[i] + p_completion_tokens[i] > 0 THEN 1 ELSE 0 END
      WHERE id = r.user_id
      RETURNING quota, username, setting, low_balance_notified, spend_alert_at
      INTO v_quota, v_username, v_setting, v_notified, v_spend_at;
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
                || CASE WHEN r.status = c_expired THEN jsonb_build_object('settled_after_expiry', true) ELSE '{}'::jsonb END)
      RETURNING id INTO v_log;
    INSERT INTO usage_rollups AS ur (user_id, bucket, model_name, token_id, "group", request_count, quota,
                                     prompt_tokens, completion_tokens)
      VALUES (r.user_id, v_hour, r.model_name, r.token_id, r.group, 1, p_quota[i], p_prompt_tokens[i],
              p_completion_tokens[i])
      ON CONFLICT (user_id, bucket, model_name, token_id, "group") DO UPDATE SET
        request_count = ur.request_count + 1, quota = ur.quota + EXCLUDED.quota,
        prompt_tokens = ur.prompt_tokens + EXCLUDED.prompt_tokens,
        completion_tokens = ur.completion_tokens + EXCLUDED.completion_tokens;
    INSERT INTO usage_rollups_daily AS ud (user_id, bucket, model_name, token_id, "group", request_count, quota,
                                          prompt_tokens, completion_tokens)
      VALUES (r.user_id, v_day, r.model_name, r.token_id, r.group, 1, p_quota[i], p_prompt_tokens[i],
              p_completion_tokens[i])
      ON CONFLICT (user_id, bucket, model_name, token_id, "group") DO UPDATE SET
        request_count = ud.request_count + 1, quota = ud.quota + EXCLUDED.quota,
        prompt_tokens = ud.prompt_tokens + EXCLUDED.prompt_tokens,
        completion_tokens = ud.completion_tokens + EXCLUDED.completion_tokens;
    IF v_quota IS NOT NULL AND (p_quota[i] > 0 AND NOT v_notified
        OR jsonb_typeof(v_setting -> 'spend_alert_quota') = 'number') THEN
      v_type := CASE WHEN v_setting ->> 'notify_type' IN ('webhook', 'bark', 'gotify') THEN v_setting ->> 'notify_type'
                     ELSE 'email' END;
      IF p_quota[i] > 0 AND NOT v_notified THEN
        IF jsonb_typeof(v_setting -> 'quota_warning_threshold') = 'number' THEN
          v_threshold := tollgate_low_balance_threshold(v_setting);
        ELSE
          v_global := COALESCE(v_global, tollgate_low_balance_threshold('{}'::jsonb));
          v_threshold := v_global;
        END IF;
        IF v_threshold > 0 AND v_quota < v_threshold THEN
          INSERT INTO notifications (user_id, kind, channel, payload)
            VALUES (r.user_id, 'quota_exceed', v_type,
                    jsonb_build_object('balance', v_quota::text, 'threshold', v_threshold::text,
                                       'charged', p_quota[i]::text, 'model', r.model_name, 'log_id', v_log::text));
          UPDATE users SET low_balance_notified = true WHERE id = r.user_id;
        END IF;
      END IF;
      IF jsonb_typeof(v_setting -> 'spend_alert_quota') = 'number'
         AND (v_spend_at IS NULL OR v_spend_at <= now() - interval '1 hour') THEN
        v_limit := CASE WHEN (v_setting ->> 'spend_alert_quota')::numeric BETWEEN 1 AND 9000000000000000000
                        THEN trunc((v_setting ->> 'spend_alert_quota')::numeric)::bigint ELSE 0 END;
        IF v_limit > 0 THEN
          -- the last 60 minutes from hourly buckets: this hour, plus the previous one weighted by the
          -- part of it still inside the window (a sliding-window estimate)
          SELECT COALESCE(sum(CASE WHEN u.bucket = v_hour THEN u.quota
                                   ELSE u.quota * (3600 - extract(epoch FROM now() - v_hour)::bigint) / 3600 END), 0)::bigint
            INTO v_spent
            FROM usage_rollups u WHERE u.user_id = r.user_id AND u.bucket >= v_hour - interval '1 hour';
          IF v_spent > v_limit THEN
            INSERT INTO notifications (user_id, kind, channel, payload)
              VALUES (r.user_id, 'spend_rate', v_type,
                      jsonb_build_object('spent', v_spent::text, 'limit', v_limit::text, 'balance', v_quota::text,
                                         'model', r.model_name, 'log_id', v_log::text));
            UPDATE users SET spend_alert_at = now() WHERE id = r.user_id;
          END IF;
        END IF;
      END IF;
    END IF;
    t_model := t_model || r.model_name; t_channel := t_channel || COALESCE(v_channel, 0); t_group := t_group || r.group;
    t_quota := t_quota || p_quota[i]; t_prompt := t_prompt || p_prompt_tokens[i]::bigint;
    t_completion := t_completion || p_completion_tokens[i]::bigint;
    UPDATE reservations SET status = c_settled, charged_quota = p_quota[i], log_id = v_log, finished_at = now(),
                            channel_id = v_channel
      WHERE id = r.id;
    outcome := 'settled'; log_id := v_log; charged := p_quota[i]; user_quota := v_quota; token_remain := v_remain;
    RETURN NEXT;
  END LOOP;
  -- channels last and in id order: rows that many users' batches share
  FOR i IN SELECT s.k FROM generate_subscripts(v_channels, 1) AS s(k) ORDER BY v_channels[s.k] LOOP
    UPDATE channels SET used_quota = used_quota + v_channel_quota[i] WHERE id = v_channels[i];
  END LOOP;
  INSERT INTO usage_totals AS ut (bucket, model_name, channel_id, "group", request_count, quota, prompt_tokens,
                                  completion_tokens)
    SELECT v_hour, m, c, g, count(*), sum(q), sum(pt), sum(ct)
      FROM unnest(t_model, t_channel, t_group, t_quota, t_prompt, t_completion) AS x(m, c, g, q, pt, ct)
      GROUP BY m, c, g ORDER BY m, c, g
    ON CONFLICT (bucket, model_name, channel_id, "group") DO UPDATE SET
      request_count = ut.request_count + EXCLUDED.request_count, quota = ut.quota + EXCLUDED.quota,
      prompt_tokens = ut.prompt_tokens + EXCLUDED.prompt_tokens,
      completion_tokens = ut.completion_tokens + EXCLUDED.completion_tokens;
  INSERT INTO usage_totals_daily AS td (bucket, model_name, channel_id, "group", request_count, quota, prompt_tokens,
                                        completion_tokens)
    SELECT v_day, m, c, g, count(*), sum(q), sum(pt), sum(ct)
      FROM unnest(t_model, t_channel, t_group, t_quota, t_prompt, t_completion) AS x(m, c, g, q, pt, ct)
      GROUP BY m, c, g ORDER BY m, c, g
    ON CONFLICT (bucket, model_name, channel_id, "group") DO UPDATE SET
      request_count = td.request_count + EXCLUDED.request_count, quota = td.quota + EXCLUDED.quota,
      prompt_tokens = td.prompt_tokens + EXCLUDED.prompt_tokens,
      completion_tokens = td.completion_tokens + EXCLUDED.completion_tokens;
  INSERT INTO usage_model_totals AS mt (bucket, model_name, request_count, quota, prompt_tokens, completion_tokens)
    SELECT v_hour, m, count(*), sum(q), sum(pt), sum(ct)
      FROM unnest(t_model, t_quota, t_prompt, t_completion) AS x(m, q, pt, ct)
      GROUP BY m ORDER BY m
    ON CONFLICT (bucket, model_name) DO UPDATE SET
      request_count = mt.request_count + EXCLUDED.request_count, quota = mt.quota + EXCLUDED.quota,
      prompt_tokens = mt.prompt_tokens + EXCLUDED.prompt_tokens,
      completion_tokens = mt.completion_tokens + EXCLUDED.completion_tokens;
  INSERT INTO usage_model_totals_daily AS md (bucket, model_name, request_count, quota, prompt_tokens, completion_tokens)
    SELECT v_day, m, count(*), sum(q), sum(pt), sum(ct)
      FROM unnest(t_model, t_quota, t_prompt, t_completion) AS x(m, q, pt, ct)
      GROUP BY m ORDER BY m
    ON CONFLICT (bucket, model_name) DO UPDATE SET
      request_count = md.request_count + EXCLUDED.request_count, quota = md.quota + EXCLUDED.quota,
      prompt_tokens = md.prompt_tokens + EXCLUDED.prompt_tokens,
      completion_tokens = md.completion_tokens + EXCLUDED.completion_tokens;
END $$;
