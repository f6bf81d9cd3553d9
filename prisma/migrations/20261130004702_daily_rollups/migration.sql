-- Daily rollups beside the hourly ones (per user, and across users), so that charts by day and stats
-- over long ranges read a few thousand rows instead of every hour; a day starts at midnight in the
-- zone of the StatsTimeZone option (default UTC). The per-user hourly rollup drops the channel: no
-- user filter names one, and without it a busy user's hours hold a few rows instead of one per
-- request. Every rollup is rebuilt from the consume logs.
-- AlterTable (emptied first: without the channel its rows would collide; rebuilt below)
DELETE FROM "usage_rollups";
ALTER TABLE "usage_rollups" DROP CONSTRAINT "usage_rollups_pkey",
DROP COLUMN "channel_id",
ADD CONSTRAINT "usage_rollups_pkey" PRIMARY KEY ("user_id", "bucket", "model_name", "token_id", "group");

-- CreateTable
CREATE TABLE "usage_rollups_daily" (
    "user_id" INTEGER NOT NULL,
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "model_name" VARCHAR(128) NOT NULL,
    "token_id" INTEGER NOT NULL DEFAULT 0,
    "group" VARCHAR(64) NOT NULL DEFAULT '',
    "request_count" BIGINT NOT NULL DEFAULT 0,
    "quota" BIGINT NOT NULL DEFAULT 0,
    "prompt_tokens" BIGINT NOT NULL DEFAULT 0,
    "completion_tokens" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "usage_rollups_daily_pkey" PRIMARY KEY ("user_id","bucket","model_name","token_id","group")
);

-- CreateTable
CREATE TABLE "usage_totals_daily" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "model_name" VARCHAR(128) NOT NULL,
    "channel_id" INTEGER NOT NULL DEFAULT 0,
    "group" VARCHAR(64) NOT NULL DEFAULT '',
    "request_count" BIGINT NOT NULL DEFAULT 0,
    "quota" BIGINT NOT NULL DEFAULT 0,
    "prompt_tokens" BIGINT NOT NULL DEFAULT 0,
    "completion_tokens" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "usage_totals_daily_pkey" PRIMARY KEY ("bucket","model_name","channel_id","group")
);

-- CreateIndex
CREATE INDEX "usage_rollups_daily_bucket_idx" ON "usage_rollups_daily"("bucket");

INSERT INTO "usage_rollups" ("user_id", "bucket", "model_name", "token_id", "group", "request_count", "quota",
                             "prompt_tokens", "completion_tokens")
  SELECT "user_id", date_trunc('hour', "created_at", 'UTC'), "model_name", COALESCE("token_id", 0), "group", count(*),
         sum("quota"), sum("prompt_tokens"), sum("completion_tokens")
  FROM "logs" WHERE "type" = 2 GROUP BY 1, 2, 3, 4, 5;
INSERT INTO "usage_rollups_daily" ("user_id", "bucket", "model_name", "token_id", "group", "request_count", "quota",
                                   "prompt_tokens", "completion_tokens")
  SELECT "user_id", date_trunc('day', "created_at", z.tz), "model_name", COALESCE("token_id", 0), "group", count(*),
         sum("quota"), sum("prompt_tokens"), sum("completion_tokens")
  FROM "logs", (SELECT COALESCE((SELECT "value"::jsonb #>> '{}' FROM "options" WHERE "key" = 'StatsTimeZone'), 'UTC') AS tz) z
  WHERE "type" = 2 GROUP BY 1, 2, 3, 4, 5;
INSERT INTO "usage_totals_daily" ("bucket", "model_name", "channel_id", "group", "request_count", "quota",
                                  "prompt_tokens", "completion_tokens")
  SELECT date_trunc('day', "created_at", z.tz), "model_name", COALESCE("channel_id", 0), "group", count(*), sum("quota"),
         sum("prompt_tokens"), sum("completion_tokens")
  FROM "logs", (SELECT COALESCE((SELECT "value"::jsonb #>> '{}' FROM "options" WHERE "key" = 'StatsTimeZone'), 'UTC') AS tz) z
  WHERE "type" = 2 GROUP BY 1, 2, 3, 4;
