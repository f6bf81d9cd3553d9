-- AlterTable
ALTER TABLE "channels" ADD COLUMN     "dialect" VARCHAR(16) NOT NULL DEFAULT 'openai';

-- CreateTable
CREATE TABLE "response_routes" (
    "response_id" VARCHAR(128) NOT NULL,
    "channel_id" INTEGER NOT NULL,
    "user_id" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "response_routes_pkey" PRIMARY KEY ("response_id")
);

-- CreateIndex
CREATE INDEX "response_routes_created_at_idx" ON "response_routes"("created_at");

