-- tollgate_rearm_low_balance: the live definition (prisma/functions/README.md).
--
-- Re-arms a user's low-balance alert when their balance is back at (or above) the threshold: run by
-- every credit (lib/quota/credits.ts) inside its transaction, after the balance changed, and after a
-- settings save. Returns true when it re-armed. docs/notifications.md.
CREATE OR REPLACE FUNCTION tollgate_rearm_low_balance(p_user int) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE users SET low_balance_notified = false
    WHERE id = p_user AND low_balance_notified AND quota >= tollgate_low_balance_threshold(setting);
  RETURN FOUND;
END $$;
