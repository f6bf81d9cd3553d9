-- tollgate_rebuild_daily_rollups: the live definition, applied by scripts/migrate.mjs whenever this
-- file changes (prisma/functions/README.md).
--
-- Rebuilds the three daily rollups (per user; across users per model, channel and group; across users
-- per model) in the days of p_zone, from the hourly ones: a zone's offset is whole hours (the
-- StatsTimeZone option allows no other), so each of its days is a union of UTC hours and the sums
-- are exact. Called by the transaction that saves another StatsTimeZone, after it wrote the option.
-- It first takes exclusively the lock every tollgate_settle holds shared while it reads the zone and
-- writes its rows: it waits for the settles in flight to commit, and settles that come later wait
-- until this transaction commits and then read the new zone. Settles pause for as long as the
-- rebuild takes (it reads every hourly rollup once).
CREATE OR REPLACE FUNCTION tollgate_rebuild_daily_rollups(p_zone text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('tollgate:stats_zone'));
  DELETE FROM usage_rollups_daily;
  INSERT INTO usage_rollups_daily (user_id, bucket, model_name, token_id, "group", request_count, quota,
                                   prompt_tokens, completion_tokens)
    SELECT user_id, date_trunc('day', bucket, p_zone), model_name, token_id, "group", sum(request_count), sum(quota),
           sum(prompt_tokens), sum(completion_tokens)
      FROM usage_rollups GROUP BY 1, 2, 3, 4, 5;
  DELETE FROM usage_totals_daily;
  INSERT INTO usage_totals_daily (bucket, model_name, channel_id, "group", request_count, quota, prompt_tokens,
                                  completion_tokens)
    SELECT date_trunc('day', bucket, p_zone), model_name, channel_id, "group", sum(request_count), sum(quota),
           sum(prompt_tokens), sum(completion_tokens)
      FROM usage_totals GROUP BY 1, 2, 3, 4;
  DELETE FROM usage_model_totals_daily;
  INSERT INTO usage_model_totals_daily (bucket, model_name, request_count, quota, prompt_tokens, completion_tokens)
    SELECT date_trunc('day', bucket, p_zone), model_name, sum(request_count), sum(quota), sum(prompt_tokens),
           sum(completion_tokens)
      FROM usage_model_totals GROUP BY 1, 2;
END $$;
