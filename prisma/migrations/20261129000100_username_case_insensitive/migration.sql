-- Usernames are unique whatever their case: "root" and "ROOT" would be two accounts that people
-- (and an admin reading logs) take for one. The index makes the database refuse the second name
-- even when two sign-ups race past the service's own check. Prisma's schema language cannot
-- declare an index on an expression, so this migration is written by hand (see README,
-- "Migrations, offline"); `migrate.mjs diff` does not try to drop it.
--
-- Fails, naming the duplicated value, when such names already exist: rename one of each pair
-- (UPDATE users SET username = ... WHERE id = ...) and run the migrations again.
CREATE UNIQUE INDEX "users_username_lower_key" ON "users" (lower("username"));
