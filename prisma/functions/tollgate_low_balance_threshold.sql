-- tollgate_low_balance_threshold: the live definition (prisma/functions/README.md).
--
-- The low-balance threshold of a user, in quota: their setting `quota_warning_threshold` when it is
-- a positive number, else the option QuotaRemindThreshold (default 1000). 0 means no alert. Read by
-- tollgate_settle (fire) and tollgate_rearm_low_balance (re-arm); docs/notifications.md.
CREATE OR REPLACE FUNCTION tollgate_low_balance_threshold(p_setting jsonb) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_text text;
BEGIN
  IF jsonb_typeof(p_setting -> 'quota_warning_threshold') = 'number'
     AND (p_setting ->> 'quota_warning_threshold')::numeric >= 1
     AND (p_setting ->> 'quota_warning_threshold')::numeric <= 9000000000000000000 THEN
    RETURN trunc((p_setting ->> 'quota_warning_threshold')::numeric)::bigint;
  END IF;
  -- options hold JSON text; a value that is not a plain whole number keeps the default (as lib/options does)
  SELECT value INTO v_text FROM options WHERE key = 'QuotaRemindThreshold';
  IF v_text IS NULL OR v_text !~ '^[0-9]{1,18}$' THEN
    RETURN 1000;
  END IF;
  RETURN v_text::bigint;
END $$;
