-- tollgate_settle: the live definition, applied by scripts/migrate.mjs after the migrations whenever this
-- file changes (prisma/functions/README.md). The reservation lifecycle: docs/reservations.md.
--
-- Settles a batch of the owner's reservations in one transaction (one item is a batch of one).
-- Per item: actual − held on wallet and key (the full charge when the sweeper had already
-- returned the hold), used quota on both, request_count when tokens were served, the consume log,
-- the user's hourly and daily rollups, the reservation closed. At the end, once per key and in key
-- order: channels' used quota (by id), then the hourly and daily totals across users. Days are those
-- of the StatsTimeZone option's zone (read once per call). Outcome per item (ord = its position in the arrays): 'settled' |
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
  v_day timestamptz := date_trunc('day', now(),
    COALESCE((SELECT value::jsonb #>> '{}' FROM options WHERE key = 'StatsTimeZone'), 'UTC'));
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
END $$;
