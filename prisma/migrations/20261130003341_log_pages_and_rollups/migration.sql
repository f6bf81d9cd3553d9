-- The log pages (docs/logs.md): every page orders by (created_at, id) and pages by keyset on it, so
-- each filter gets an index (user_id, <filter>, created_at, id) for a user's pages and
-- (<filter>, created_at, id) for the admin's; the single-column indexes they replace go.
-- usage_rollups gains the key, group and channel of the stats filters and is rebuilt from the
-- consume logs; usage_totals holds the same hours across users (admin charts and stats).
-- log_checkpoints and log_cleanups serve retention (lib/logs/retention.ts).
-- DropIndex
DROP INDEX "logs_channel_id_idx";

-- DropIndex
DROP INDEX "logs_group_idx";

-- DropIndex
DROP INDEX "logs_model_name_idx";

-- DropIndex
DROP INDEX "logs_token_id_id_idx";

-- DropIndex
DROP INDEX "logs_token_name_idx";

-- DropIndex
DROP INDEX "logs_type_created_at_idx";

-- DropIndex
DROP INDEX "logs_user_id_created_at_idx";

-- DropIndex
DROP INDEX "logs_user_id_id_idx";

-- DropIndex
DROP INDEX "logs_username_idx";

-- AlterTable
ALTER TABLE "usage_rollups" DROP CONSTRAINT "usage_rollups_pkey",
ADD COLUMN     "channel_id" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "group" VARCHAR(64) NOT NULL DEFAULT '',
ADD COLUMN     "token_id" INTEGER NOT NULL DEFAULT 0,
ADD CONSTRAINT "usage_rollups_pkey" PRIMARY KEY ("user_id", "bucket", "model_name", "token_id", "group", "channel_id");

-- CreateTable
CREATE TABLE "usage_totals" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "model_name" VARCHAR(128) NOT NULL,
    "channel_id" INTEGER NOT NULL DEFAULT 0,
    "group" VARCHAR(64) NOT NULL DEFAULT '',
    "request_count" BIGINT NOT NULL DEFAULT 0,
    "quota" BIGINT NOT NULL DEFAULT 0,
    "prompt_tokens" BIGINT NOT NULL DEFAULT 0,
    "completion_tokens" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "usage_totals_pkey" PRIMARY KEY ("bucket","model_name","channel_id","group")
);

-- CreateTable
CREATE TABLE "log_checkpoints" (
    "user_id" INTEGER NOT NULL,
    "token_id" INTEGER NOT NULL DEFAULT 0,
    "credits" BIGINT NOT NULL DEFAULT 0,
    "consumed" BIGINT NOT NULL DEFAULT 0,
    "requests" BIGINT NOT NULL DEFAULT 0,
    "aff_quota" BIGINT NOT NULL DEFAULT 0,
    "rows" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "log_checkpoints_pkey" PRIMARY KEY ("user_id","token_id")
);

-- CreateTable
CREATE TABLE "log_cleanups" (
    "id" SERIAL NOT NULL,
    "before" TIMESTAMPTZ(3) NOT NULL,
    "status" VARCHAR(16) NOT NULL DEFAULT 'pending',
    "total" BIGINT NOT NULL DEFAULT 0,
    "deleted" BIGINT NOT NULL DEFAULT 0,
    "created_by" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "heartbeat" TIMESTAMPTZ(3),
    "error" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "log_cleanups_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "log_cleanups_status_idx" ON "log_cleanups"("status");

-- CreateIndex
CREATE INDEX "logs_user_id_created_at_id_idx" ON "logs"("user_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "logs_user_id_type_created_at_id_idx" ON "logs"("user_id", "type", "created_at", "id");

-- CreateIndex
CREATE INDEX "logs_user_id_model_name_created_at_id_idx" ON "logs"("user_id", "model_name", "created_at", "id");

-- CreateIndex
CREATE INDEX "logs_user_id_group_created_at_id_idx" ON "logs"("user_id", "group", "created_at", "id");

-- CreateIndex
CREATE INDEX "logs_token_id_created_at_id_idx" ON "logs"("token_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "logs_type_created_at_id_idx" ON "logs"("type", "created_at", "id");

-- CreateIndex
CREATE INDEX "logs_model_name_created_at_id_idx" ON "logs"("model_name", "created_at", "id");

-- CreateIndex
CREATE INDEX "logs_channel_id_created_at_id_idx" ON "logs"("channel_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "logs_group_created_at_id_idx" ON "logs"("group", "created_at", "id");

-- Rebuild the rollups from the ledger: the rows of the old key cannot be split by key, group and
-- channel, the logs can (a bucket is the hour of created_at, as tollgate_settle writes it).
DELETE FROM "usage_rollups";
INSERT INTO "usage_rollups" ("user_id", "bucket", "model_name", "token_id", "group", "channel_id", "request_count",
                             "quota", "prompt_tokens", "completion_tokens")
  SELECT "user_id", date_trunc('hour', "created_at", 'UTC'), "model_name", COALESCE("token_id", 0), "group",
         COALESCE("channel_id", 0), count(*), sum("quota"), sum("prompt_tokens"), sum("completion_tokens")
  FROM "logs" WHERE "type" = 2 GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO "usage_totals" ("bucket", "model_name", "channel_id", "group", "request_count", "quota", "prompt_tokens",
                            "completion_tokens")
  SELECT date_trunc('hour', "created_at", 'UTC'), "model_name", COALESCE("channel_id", 0), "group", count(*), sum("quota"),
         sum("prompt_tokens"), sum("completion_tokens")
  FROM "logs" WHERE "type" = 2 GROUP BY 1, 2, 3, 4;
