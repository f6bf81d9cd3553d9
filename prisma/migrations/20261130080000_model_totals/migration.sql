-- Totals across all users per model only, hourly and daily (days of the StatsTimeZone option): the
-- admin's chart and stats over all users without a channel or group filter read a few rows per
-- bucket here instead of one per model, channel and group in usage_totals(_daily). Built from
-- those, which settle has kept equal to the consume logs; tollgate_settle keeps these from now on.
-- CreateTable
CREATE TABLE "usage_model_totals" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "model_name" VARCHAR(128) NOT NULL,
    "request_count" BIGINT NOT NULL DEFAULT 0,
    "quota" BIGINT NOT NULL DEFAULT 0,
    "prompt_tokens" BIGINT NOT NULL DEFAULT 0,
    "completion_tokens" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "usage_model_totals_pkey" PRIMARY KEY ("bucket","model_name")
);

-- CreateTable
CREATE TABLE "usage_model_totals_daily" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "model_name" VARCHAR(128) NOT NULL,
    "request_count" BIGINT NOT NULL DEFAULT 0,
    "quota" BIGINT NOT NULL DEFAULT 0,
    "prompt_tokens" BIGINT NOT NULL DEFAULT 0,
    "completion_tokens" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "usage_model_totals_daily_pkey" PRIMARY KEY ("bucket","model_name")
);

INSERT INTO "usage_model_totals" ("bucket", "model_name", "request_count", "quota", "prompt_tokens", "completion_tokens")
  SELECT "bucket", "model_name", sum("request_count"), sum("quota"), sum("prompt_tokens"), sum("completion_tokens")
  FROM "usage_totals" GROUP BY 1, 2;
INSERT INTO "usage_model_totals_daily" ("bucket", "model_name", "request_count", "quota", "prompt_tokens",
                                        "completion_tokens")
  SELECT "bucket", "model_name", sum("request_count"), sum("quota"), sum("prompt_tokens"), sum("completion_tokens")
  FROM "usage_totals_daily" GROUP BY 1, 2;
