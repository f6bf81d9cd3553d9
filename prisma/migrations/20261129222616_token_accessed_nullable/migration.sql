-- "Last used" in the portal: accessed_at is null until the key is first used (a relay or
-- settlement call, a charge), instead of starting at the creation time, which read as a use.
ALTER TABLE "tokens" ALTER COLUMN "accessed_at" DROP NOT NULL,
ALTER COLUMN "accessed_at" DROP DEFAULT;

-- keys never used so far: created and accessed in the same statement
UPDATE "tokens" SET "accessed_at" = NULL WHERE "accessed_at" = "created_at";
