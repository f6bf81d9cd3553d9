-- tollgate_settle_trusted: the live definition, applied by scripts/migrate.mjs after the migrations whenever this
-- file changes (prisma/functions/README.md). The reservation lifecycle: docs/reservations.md.
--
-- The settle of requests that were served without a reserve: in trust mode, when the node knew the
-- wallet and the key well above the trust threshold (lib/quota/reserve.ts trustedWithoutReserve), a
-- reserve would have held nothing, so none was made before the upstream call. Here each request's
-- reservation is recorded (trusted, nothing held) and settled by tollgate_settle, in the same
-- statement and transaction: one commit, grouped with the others of the batch. Idempotent: a
-- retried batch finds the reservations it made and tollgate_settle answers 'existing'.
CREATE OR REPLACE FUNCTION tollgate_settle_trusted(
  p_owner text, p_request_ids text[], p_user_ids int[], p_token_ids int[], p_models text[], p_groups text[],
  p_estimates bigint[], p_pricing jsonb[], p_ttl_seconds int,
  p_quota bigint[], p_prompt_tokens int[], p_completion_tokens int[], p_channel_ids int[],
  p_is_stream boolean[], p_use_time int[], p_content text[], p_ip text[], p_upstream_request_id text[],
  p_other jsonb[]
) RETURNS TABLE (ord int, outcome text, log_id bigint, charged bigint, user_quota bigint,
                 token_remain bigint, user_id int, token_id int)
LANGUAGE plpgsql AS $$
DECLARE
  -- reservation states, as lib/quota/schemas.ts RESERVATION_STATUS names them
  c_open CONSTANT smallint := 1;
  v_ids bigint[];
BEGIN
  -- a request id already recorded (a retried batch) is looked up by the unique index; the others
  -- come back from the insert
  WITH ins AS (
    INSERT INTO reservations (owner, request_id, user_id, token_id, channel_id, model_name, "group", status,
                              held_quota, estimate, trusted, pricing, expires_at)
      SELECT p_owner, x.request_id, x.user_id, x.token_id, x.channel_id, x.model, x.grp, c_open,
             0, x.estimate, true, x.pricing, now() + make_interval(secs => p_ttl_seconds)
        FROM unnest(p_request_ids, p_user_ids, p_token_ids, p_channel_ids, p_models, p_groups, p_estimates, p_pricing)
             AS x(request_id, user_id, token_id, channel_id, model, grp, estimate, pricing)
      ON CONFLICT (owner, request_id) DO NOTHING
      RETURNING id, request_id
  )
  SELECT array_agg(COALESCE(ins.id, (SELECT r.id FROM reservations r
                                      WHERE r.owner = p_owner AND r.request_id = x.request_id)) ORDER BY x.n)
    INTO v_ids
    FROM unnest(p_request_ids) WITH ORDINALITY AS x(request_id, n)
    LEFT JOIN ins ON ins.request_id = x.request_id;
  RETURN QUERY SELECT * FROM tollgate_settle(p_owner, v_ids, p_quota, p_prompt_tokens, p_completion_tokens,
    p_channel_ids, p_is_stream, p_use_time, p_content, p_ip, p_upstream_request_id, p_other);
END $$;
