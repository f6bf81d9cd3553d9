-- CreateTable
CREATE TABLE "users" (
    "id" SERIAL NOT NULL,
    "username" VARCHAR(32) NOT NULL,
    "password_hash" TEXT NOT NULL,
    "display_name" VARCHAR(64) NOT NULL DEFAULT '',
    "role" INTEGER NOT NULL DEFAULT 1,
    "status" INTEGER NOT NULL DEFAULT 1,
    "email" VARCHAR(254) NOT NULL DEFAULT '',
    "github_id" TEXT,
    "quota" BIGINT NOT NULL DEFAULT 0,
    "used_quota" BIGINT NOT NULL DEFAULT 0,
    "request_count" BIGINT NOT NULL DEFAULT 0,
    "group" VARCHAR(64) NOT NULL DEFAULT 'default',
    "aff_code" VARCHAR(32) NOT NULL,
    "aff_count" INTEGER NOT NULL DEFAULT 0,
    "aff_quota" BIGINT NOT NULL DEFAULT 0,
    "aff_history_quota" BIGINT NOT NULL DEFAULT 0,
    "inviter_id" INTEGER,
    "setting" JSONB NOT NULL DEFAULT '{}',
    "remark" VARCHAR(255) NOT NULL DEFAULT '',
    "auth_version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_login_at" TIMESTAMPTZ(3),

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tokens" (
    "id" SERIAL NOT NULL,
    "user_id" INTEGER NOT NULL,
    "key_hash" CHAR(64) NOT NULL,
    "key_prefix" VARCHAR(16) NOT NULL,
    "key_last4" VARCHAR(4) NOT NULL,
    "status" INTEGER NOT NULL DEFAULT 1,
    "name" VARCHAR(64) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "accessed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expired_time" BIGINT NOT NULL DEFAULT -1,
    "remain_quota" BIGINT NOT NULL DEFAULT 0,
    "used_quota" BIGINT NOT NULL DEFAULT 0,
    "granted_quota" BIGINT NOT NULL DEFAULT 0,
    "unlimited_quota" BOOLEAN NOT NULL DEFAULT false,
    "model_limits_enabled" BOOLEAN NOT NULL DEFAULT false,
    "model_limits" TEXT NOT NULL DEFAULT '',
    "allow_ips" TEXT NOT NULL DEFAULT '',
    "group" VARCHAR(64) NOT NULL DEFAULT '',
    "cross_group_retry" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "logs" (
    "id" BIGSERIAL NOT NULL,
    "user_id" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "type" SMALLINT NOT NULL,
    "content" TEXT NOT NULL DEFAULT '',
    "username" VARCHAR(32) NOT NULL DEFAULT '',
    "token_name" VARCHAR(64) NOT NULL DEFAULT '',
    "model_name" VARCHAR(128) NOT NULL DEFAULT '',
    "quota" BIGINT NOT NULL DEFAULT 0,
    "aff_quota" BIGINT NOT NULL DEFAULT 0,
    "prompt_tokens" INTEGER NOT NULL DEFAULT 0,
    "completion_tokens" INTEGER NOT NULL DEFAULT 0,
    "use_time" INTEGER NOT NULL DEFAULT 0,
    "is_stream" BOOLEAN NOT NULL DEFAULT false,
    "channel_id" INTEGER,
    "token_id" INTEGER,
    "group" VARCHAR(64) NOT NULL DEFAULT '',
    "ip" VARCHAR(64) NOT NULL DEFAULT '',
    "request_id" VARCHAR(64),
    "upstream_request_id" VARCHAR(128) NOT NULL DEFAULT '',
    "operator_id" INTEGER,
    "other" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "logs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reservations" (
    "id" BIGSERIAL NOT NULL,
    "request_id" VARCHAR(64) NOT NULL,
    "user_id" INTEGER NOT NULL,
    "token_id" INTEGER NOT NULL,
    "channel_id" INTEGER,
    "model_name" VARCHAR(128) NOT NULL,
    "group" VARCHAR(64) NOT NULL,
    "status" SMALLINT NOT NULL DEFAULT 1,
    "held_quota" BIGINT NOT NULL,
    "estimate" BIGINT NOT NULL,
    "trusted" BOOLEAN NOT NULL,
    "charge_on_expiry" BOOLEAN NOT NULL DEFAULT false,
    "charged_quota" BIGINT,
    "log_id" BIGINT,
    "pricing" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),
    "reason" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "reservations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "redemptions" (
    "id" SERIAL NOT NULL,
    "key" CHAR(32) NOT NULL,
    "status" SMALLINT NOT NULL DEFAULT 1,
    "name" VARCHAR(64) NOT NULL,
    "quota" BIGINT NOT NULL,
    "created_by" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "redeemed_at" TIMESTAMPTZ(3),
    "used_user_id" INTEGER,
    "expired_time" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "redemptions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "channels" (
    "id" SERIAL NOT NULL,
    "type" INTEGER NOT NULL DEFAULT 1,
    "name" VARCHAR(64) NOT NULL,
    "base_url" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "status" SMALLINT NOT NULL DEFAULT 1,
    "models" TEXT[],
    "groups" TEXT[] DEFAULT ARRAY['default']::TEXT[],
    "priority" INTEGER NOT NULL DEFAULT 0,
    "weight" INTEGER NOT NULL DEFAULT 1,
    "model_mapping" JSONB NOT NULL DEFAULT '{}',
    "used_quota" BIGINT NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "channels_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "options" (
    "key" VARCHAR(128) NOT NULL,
    "value" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "options_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "notifications" (
    "id" BIGSERIAL NOT NULL,
    "user_id" INTEGER NOT NULL,
    "kind" VARCHAR(32) NOT NULL,
    "channel" VARCHAR(16) NOT NULL,
    "payload" JSONB NOT NULL,
    "status" VARCHAR(16) NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "locked_until" TIMESTAMPTZ(3),
    "last_error" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "usage_rollups" (
    "user_id" INTEGER NOT NULL,
    "model_name" VARCHAR(128) NOT NULL,
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "request_count" BIGINT NOT NULL DEFAULT 0,
    "quota" BIGINT NOT NULL DEFAULT 0,
    "prompt_tokens" BIGINT NOT NULL DEFAULT 0,
    "completion_tokens" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "usage_rollups_pkey" PRIMARY KEY ("user_id","model_name","bucket")
);

-- CreateTable
CREATE TABLE "service_keys" (
    "id" SERIAL NOT NULL,
    "name" VARCHAR(64) NOT NULL,
    "key_hash" CHAR(64) NOT NULL,
    "key_prefix" VARCHAR(16) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "service_keys_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_username_key" ON "users"("username");

-- CreateIndex
CREATE UNIQUE INDEX "users_github_id_key" ON "users"("github_id");

-- CreateIndex
CREATE UNIQUE INDEX "users_aff_code_key" ON "users"("aff_code");

-- CreateIndex
CREATE INDEX "users_inviter_id_idx" ON "users"("inviter_id");

-- CreateIndex
CREATE INDEX "users_group_idx" ON "users"("group");

-- CreateIndex
CREATE UNIQUE INDEX "tokens_key_hash_key" ON "tokens"("key_hash");

-- CreateIndex
CREATE INDEX "tokens_user_id_id_idx" ON "tokens"("user_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "logs_request_id_key" ON "logs"("request_id");

-- CreateIndex
CREATE INDEX "logs_user_id_id_idx" ON "logs"("user_id", "id");

-- CreateIndex
CREATE INDEX "logs_user_id_created_at_idx" ON "logs"("user_id", "created_at");

-- CreateIndex
CREATE INDEX "logs_created_at_id_idx" ON "logs"("created_at", "id");

-- CreateIndex
CREATE INDEX "logs_type_created_at_idx" ON "logs"("type", "created_at");

-- CreateIndex
CREATE INDEX "logs_token_id_id_idx" ON "logs"("token_id", "id");

-- CreateIndex
CREATE INDEX "logs_token_name_idx" ON "logs"("token_name");

-- CreateIndex
CREATE INDEX "logs_model_name_idx" ON "logs"("model_name");

-- CreateIndex
CREATE INDEX "logs_username_idx" ON "logs"("username");

-- CreateIndex
CREATE INDEX "logs_channel_id_idx" ON "logs"("channel_id");

-- CreateIndex
CREATE INDEX "logs_group_idx" ON "logs"("group");

-- CreateIndex
CREATE UNIQUE INDEX "reservations_request_id_key" ON "reservations"("request_id");

-- CreateIndex
CREATE INDEX "reservations_status_expires_at_idx" ON "reservations"("status", "expires_at");

-- CreateIndex
CREATE INDEX "reservations_user_id_status_idx" ON "reservations"("user_id", "status");

-- CreateIndex
CREATE INDEX "reservations_token_id_status_idx" ON "reservations"("token_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "redemptions_key_key" ON "redemptions"("key");

-- CreateIndex
CREATE INDEX "redemptions_status_idx" ON "redemptions"("status");

-- CreateIndex
CREATE INDEX "notifications_status_next_attempt_at_idx" ON "notifications"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "notifications_user_id_id_idx" ON "notifications"("user_id", "id");

-- CreateIndex
CREATE INDEX "usage_rollups_bucket_idx" ON "usage_rollups"("bucket");

-- CreateIndex
CREATE UNIQUE INDEX "service_keys_key_hash_key" ON "service_keys"("key_hash");

-- AddForeignKey
ALTER TABLE "users" ADD CONSTRAINT "users_inviter_id_fkey" FOREIGN KEY ("inviter_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tokens" ADD CONSTRAINT "tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
