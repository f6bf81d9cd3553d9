-- The admin audit trail (lib/audit): one row per admin write, in the transaction of the write.
-- CreateTable
CREATE TABLE "admin_audits" (
    "id" BIGSERIAL NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "operator_id" INTEGER,
    "operator" VARCHAR(32) NOT NULL,
    "action" VARCHAR(64) NOT NULL,
    "target_type" VARCHAR(32) NOT NULL,
    "target_id" VARCHAR(128) NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "ip" VARCHAR(64) NOT NULL DEFAULT '',

    CONSTRAINT "admin_audits_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "admin_audits_created_at_id_idx" ON "admin_audits"("created_at", "id");

-- CreateIndex
CREATE INDEX "admin_audits_target_type_target_id_id_idx" ON "admin_audits"("target_type", "target_id", "id");

-- CreateIndex
CREATE INDEX "admin_audits_operator_id_id_idx" ON "admin_audits"("operator_id", "id");
