-- AlterTable
ALTER TABLE "channels" ADD COLUMN     "last_error" VARCHAR(300) NOT NULL DEFAULT '',
ADD COLUMN     "last_error_at" TIMESTAMPTZ(3);

