#!/usr/bin/env node
// Offline Prisma migrations: the Prisma CLI's native schema engine cannot be downloaded on our
// machines, so this drives the same engine compiled to Wasm through adapter-pg.
// Usage: node scripts/migrate.mjs deploy | status | dev --name N [--create-only] | reset | diff
// After the migrations, deploy/dev/reset apply the billing functions of prisma/functions/ that
// changed (applyFunctions below; prisma/functions/README.md).
// Never run `dev` or `diff` against the embedded PGlite server: it has one database, so the
// shadow database would land in the real one.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { bindMigrationAwareSqlAdapterFactory, ColumnTypeEnum } from "@prisma/driver-adapter-utils";
import * as bg from "@prisma/schema-engine-wasm/schema_engine_bg";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
// the wasm module reports Rust panics through this global (the Prisma CLI normally installs it)
globalThis.PRISMA_WASM_PANIC_REGISTRY = { set_message: (m) => console.error(`schema-engine panic: ${m}`) };
const ROOT = process.cwd();
const SCHEMA_PATH = path.resolve(ROOT, process.env.PRISMA_SCHEMA_PATH ?? "prisma/schema.prisma");
const MIGRATIONS_DIR = path.resolve(ROOT, process.env.PRISMA_MIGRATIONS_DIR ?? "prisma/migrations");
const FUNCTIONS_DIR = path.resolve(ROOT, "prisma/functions");
const filters = { externalTables: [], externalEnums: [] };

async function loadEngine(adapterFactory) {
  const wasmPath = path.join(
    path.dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg")),
    "schema_engine_bg.wasm",
  );
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(wasmPath), { "./schema_engine_bg.js": bg });
  bg.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start?.();
  const schema = fs.readFileSync(SCHEMA_PATH, "utf8");
  const debug = (msg) => process.env.DEBUG_MIGRATE && console.error("[schema-engine]", msg);
  return bg.SchemaEngine.new(
    { datamodels: [[SCHEMA_PATH, schema]] },
    debug,
    bindMigrationAwareSqlAdapterFactory(adapterFactory),
  );
}

// adapter-pg 7.10 rejects PostgreSQL's one-byte "char" (OID 18) used in pg_catalog; the engine wants Character.
async function patchAdapterPgCharColumns(PrismaPg) {
  const probe = await new PrismaPg({ connectionString: "postgresql://unused" }).connect();
  const proto = Object.getPrototypeOf(Object.getPrototypeOf(probe)); // PgQueryable.prototype
  // adapter-pg 7.10 splits migration scripts on ';', which breaks $$-quoted function bodies:
  // send the script whole (PostgreSQL's simple protocol runs it as one implicit transaction).
  Object.getPrototypeOf(probe).executeScript = async function (script) {
    try {
      await this.client.query(script);
    } catch (error) {
      this.onError(error);
    }
  };
  await probe.dispose();
  if (proto.__charPatched) return;
  const { performIO, queryRaw } = proto;
  const charCols = new WeakMap();
  proto.performIO = async function (query) {
    const res = await performIO.call(this, query);
    const idx = [];
    res?.fields?.forEach((f, i) => {
      if (f.dataTypeID === 18) {
        f.dataTypeID = 25;
        idx.push(i);
      }
    });
    if (idx.length) charCols.set(res.rows, idx);
    return res;
  };
  proto.queryRaw = async function (query) {
    const out = await queryRaw.call(this, query);
    for (const i of charCols.get(out.rows) ?? []) out.columnTypes[i] = ColumnTypeEnum.Character;
    return out;
  };
  proto.__charPatched = true;
}

// adapter-pg 7.10's connectToShadowDb drops the shadow DB before closing its pool; close first, then drop.
const withShadowFix = (PrismaPg) =>
  class PrismaPgMigrate extends PrismaPg {
    async connectToShadowDb() {
      const admin = await this.connect();
      const database = `prisma_migrate_shadow_db_${globalThis.crypto.randomUUID()}`;
      await admin.executeScript(`CREATE DATABASE "${database}"`);
      const shadow = await new PrismaPg({ ...this.config, database }).connect();
      const closeShadow = shadow.dispose.bind(shadow);
      shadow.dispose = async () => {
        await closeShadow();
        await admin.executeScript(`DROP DATABASE IF EXISTS "${database}"`);
        await admin.dispose();
      };
      return shadow;
    }
  };

// node-postgres lets connectionString override `database` (shadow would hit the main DB): pass fields.
function pgConfigFromUrl(url) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: u.pathname.replace(/^\//, "") || "postgres",
    ...(u.searchParams.get("sslmode") === "disable" || !u.searchParams.get("sslmode") ? {} : { ssl: true }),
  };
}

function migrationsList() {
  fs.mkdirSync(MIGRATIONS_DIR, { recursive: true });
  const lockPath = path.join(MIGRATIONS_DIR, "migration_lock.toml");
  const dirs = fs
    .readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  return {
    baseDir: MIGRATIONS_DIR,
    lockfile: {
      path: "migration_lock.toml",
      content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, "utf8") : null,
    },
    shadowDbInitScript: "",
    migrationDirectories: dirs.map((name) => {
      const file = path.join(MIGRATIONS_DIR, name, "migration.sql");
      return {
        path: name,
        migrationFile: {
          path: "migration.sql",
          content: fs.existsSync(file)
            ? { tag: "ok", value: fs.readFileSync(file, "utf8") }
            : { tag: "error", value: "missing migration.sql" },
        },
      };
    }),
  };
}
/**
 * The covering indexes of the logs (migration 20261130011900_log_covering_indexes) carry INCLUDE
 * columns, which Prisma's schema language cannot declare: the engine sees them as differing from
 * schema.prisma and would drop and re-create them without INCLUDE. A generated script keeps them:
 * a DROP INDEX + CREATE INDEX pair of one of these names is removed (say so in the migration if a
 * change of such an index is meant, and write it by hand with its INCLUDE list).
 */
const COVERING_INDEX = /^logs_(.*_)?created_at_id_idx$/;
function keepCoveringIndexes(script) {
  const block = (kind, name) =>
    new RegExp(`-- ${kind}Index\\n${kind === "Drop" ? "DROP" : "CREATE"} INDEX "${name}"[^;]*;\\n*`, "g");
  const dropped = [...script.matchAll(/DROP INDEX "([^"]+)";/g)].map((m) => m[1]);
  const created = new Set([...script.matchAll(/CREATE INDEX "([^"]+)"/g)].map((m) => m[1]));
  let out = script;
  for (const name of dropped) {
    if (!COVERING_INDEX.test(name) || !created.has(name)) continue;
    out = out.replace(block("Drop", name), "").replace(block("Create", name), "");
  }
  return out.trim() ? out : "";
}

const schemaContainer = () => ({ files: [{ path: SCHEMA_PATH, content: fs.readFileSync(SCHEMA_PATH, "utf8") }] });
function writeLockfile(provider) {
  const lockPath = path.join(MIGRATIONS_DIR, "migration_lock.toml");
  if (!fs.existsSync(lockPath))
    fs.writeFileSync(
      lockPath,
      `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${provider}"\n`,
    );
}
/**
 * Each prisma/functions/<name>.sql defines the one function <name>. The function carries the
 * checksum of its file as its comment, so a file is applied (in its own transaction) only when
 * its content changed or a migration dropped the function. An advisory lock keeps two deploys
 * from applying at once.
 */
async function applyFunctions(url) {
  const files = fs.existsSync(FUNCTIONS_DIR)
    ? fs
        .readdirSync(FUNCTIONS_DIR)
        .filter((f) => f.endsWith(".sql"))
        .sort()
    : [];
  if (!files.length) return [];
  const { default: pg } = await import("pg");
  const client = new pg.Client(pgConfigFromUrl(url));
  await client.connect();
  const applied = [];
  try {
    await client.query("SELECT pg_advisory_lock(hashtext('tollgate_functions'))");
    for (const file of files) {
      const name = file.slice(0, -4);
      const sql = fs.readFileSync(path.join(FUNCTIONS_DIR, file), "utf8");
      const checksum = `sha256:${crypto.createHash("sha256").update(sql).digest("hex")}`;
      const { rows } = await client.query(
        "SELECT obj_description(p.oid, 'pg_proc') AS comment FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace " +
          "WHERE n.nspname = current_schema() AND p.proname = $1",
        [name],
      );
      if (rows.length === 1 && rows[0].comment === checksum) continue;
      if (rows.length > 1)
        throw new Error(`${file}: ${rows.length} functions are named ${name}; a migration must drop the old signature`);
      try {
        await client.query("BEGIN");
        await client.query(sql);
        await client.query(`COMMENT ON FUNCTION ${name} IS '${checksum}'`);
        await client.query("COMMIT");
      } catch (e) {
        await client.query("ROLLBACK");
        throw new Error(`prisma/functions/${file}: ${e.message}`);
      }
      applied.push(name);
    }
  } finally {
    await client.end();
  }
  return applied;
}

function arg(name) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : (process.argv[i + 1] ?? true);
}

async function main() {
  const cmd = process.argv[2];
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set");
  if (!/^postgres(ql)?:\/\//.test(url)) throw new Error("DATABASE_URL must be a postgresql:// URL");
  const { PrismaPg } = await import("@prisma/adapter-pg");
  await patchAdapterPgCharColumns(PrismaPg);
  const factory = new (withShadowFix(PrismaPg))(pgConfigFromUrl(url));
  const engine = await loadEngine(factory);
  try {
    switch (cmd) {
      case "deploy": {
        const r = await engine.applyMigrations({ migrationsList: migrationsList(), filters });
        console.log(`applied: ${JSON.stringify(r.appliedMigrationNames)}`);
        const fns = await applyFunctions(url);
        if (fns.length) console.log(`functions: ${JSON.stringify(fns)}`);
        break;
      }
      case "status": {
        const r = await engine.diagnoseMigrationHistory({
          migrationsList: migrationsList(),
          optInToShadowDatabase: false,
          filters,
        });
        console.log(JSON.stringify(r, null, 2));
        if (r.history || r.failedMigrationNames.length) process.exitCode = 1;
        break;
      }
      case "dev": {
        const name = String(arg("name") ?? "migration");
        const list = migrationsList();
        const diag = await engine.devDiagnostic({ migrationsList: list, filters });
        if (diag.action.tag === "reset") {
          console.error(`database needs a reset: ${diag.action.reason}`);
          if (!arg("force-reset")) throw new Error("refusing to reset without --force-reset");
          await engine.reset({ filter: filters });
        }
        const applied = await engine.applyMigrations({ migrationsList: list, filters });
        if (applied.appliedMigrationNames.length)
          console.log(`applied pending: ${applied.appliedMigrationNames.join(", ")}`);
        // createMigration reuses the shadow-DB schema cached by devDiagnostic: diagnose right before it
        await engine.devDiagnostic({ migrationsList: list, filters });
        const created = await engine.createMigration({
          draft: Boolean(arg("create-only")),
          migrationName: name,
          migrationsList: list,
          schema: schemaContainer(),
          filters,
        });
        created.migrationScript = keepCoveringIndexes(created.migrationScript ?? "");
        if (!created.migrationScript.trim() || /^(\s*--[^\n]*\n?)*\s*$/.test(created.migrationScript)) {
          console.log("already in sync, no migration created");
          break;
        }
        const dir = path.join(MIGRATIONS_DIR, created.generatedMigrationName);
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, `migration.${created.extension}`), created.migrationScript);
        writeLockfile(created.connectorType);
        console.log(`created ${path.relative(ROOT, dir)}`);
        if (!arg("create-only")) {
          const r = await engine.applyMigrations({ migrationsList: migrationsList(), filters });
          console.log(`applied: ${JSON.stringify(r.appliedMigrationNames)}`);
          console.log(`functions: ${JSON.stringify(await applyFunctions(url))}`);
        }
        break;
      }
      case "push": {
        const r = await engine.schemaPush({ force: Boolean(arg("force")), schema: schemaContainer(), filters });
        console.log(JSON.stringify(r));
        if (r.unexecutable.length || (r.warnings.length && !arg("force"))) process.exitCode = 1;
        break;
      }
      case "reset": {
        await engine.reset({ filter: filters });
        const r = await engine.applyMigrations({ migrationsList: migrationsList(), filters });
        console.log(
          `reset; applied: ${JSON.stringify(r.appliedMigrationNames)}; functions: ${JSON.stringify(await applyFunctions(url))}`,
        );
        break;
      }
      case "diff": {
        const r = await engine.diff({
          from: { tag: "migrations", ...migrationsList() },
          to: { tag: "schemaDatamodel", ...schemaContainer() },
          script: true,
          exitCode: null,
          filters,
        });
        const script = keepCoveringIndexes(r.stdout ?? "");
        if (script.trim()) process.stdout.write(script);
        else console.log("-- This is an empty migration.");
        break;
      }
      default:
        throw new Error(`unknown command ${cmd}`);
    }
  } finally {
    engine.free();
  }
}
main().then(
  () => process.exit(process.exitCode ?? 0),
  (e) => {
    console.error(e?.stack ?? e);
    process.exit(1);
  },
);
