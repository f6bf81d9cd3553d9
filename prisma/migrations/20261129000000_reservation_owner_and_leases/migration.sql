-- Reservations get an owner and become leases; the sweeper returns holds instead of charging
-- estimates (docs/reservations.md). From here on the billing functions live in prisma/functions/
-- (applied by scripts/migrate.mjs after the migrations): the copies in earlier migrations are
-- history, dropped below.

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
