-- tollgate_renew: the live definition, applied by scripts/migrate.mjs after the migrations whenever this
-- file changes (prisma/functions/README.md). The reservation lifecycle: docs/reservations.md.
--
-- Extends the leases of open reservations that a node is still working on. SKIP LOCKED: a row
-- being settled or refunded right now needs no renewal, and the renewal never waits on a lock.
CREATE OR REPLACE FUNCTION tollgate_renew(p_owner text, p_ids bigint[], p_ttl_seconds int)
RETURNS TABLE (reservation_id bigint, expires_at timestamptz)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  -- reservation states, as lib/quota/schemas.ts RESERVATION_STATUS names them
  c_open CONSTANT smallint := 1; c_settled CONSTANT smallint := 2; c_refunded CONSTANT smallint := 3; c_expired CONSTANT smallint := 4;
BEGIN
  RETURN QUERY
  UPDATE reservations r SET expires_at = now() + make_interval(secs => p_ttl_seconds)
    FROM (SELECT id FROM reservations WHERE id = ANY(p_ids) AND owner = p_owner AND status = c_open
          ORDER BY id FOR UPDATE SKIP LOCKED) s
    WHERE r.id = s.id
    RETURNING r.id, r.expires_at;
END $$;
