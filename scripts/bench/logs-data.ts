// The data set of `npm run bench:logs`: 10,000 users (three keys each), one heavy user with 20% of
// the rows, 200 models (a skewed mix; the heavy user keeps to eight), 20 channels (each model served
// by two of them), two groups, 90 days, 97% consume rows — written with generate_series in one statement, the logs' indexes
// dropped during the load and rebuilt after, then the rollups built from the logs as the migrations
// do. Loaded once into its own database and reused (the logs table's comment holds the row count).
import pg from "pg";

export const USERS = 10_000;
export const HEAVY_USER = 1;
const KEYS_PER_USER = 3;
export const MODELS = 200;
const CHANNELS = 20;
export const DAYS = 90;

const step = (label: string) => {
  const t = performance.now();
  process.stdout.write(`  ${label}… `);
  return () => console.log(`${((performance.now() - t) / 1000).toFixed(1)} s`);
};

export async function loadedRows(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ c: string | null }>("SELECT obj_description('logs'::regclass) AS c");
  const m = /^bench:(\d+)$/.exec(rows[0]?.c ?? "");
  return m ? Number(m[1]) : 0;
}

/** into a freshly migrated database (its logs indexes are dropped for the load and rebuilt) */
export async function loadLogs(client: pg.Client, total: number): Promise<void> {
  await client.query("SET maintenance_work_mem = '512MB'");
  await client.query("SET synchronous_commit = off");

  let done = step(`users (${USERS}), keys, channels`);
  await client.query(
    `INSERT INTO users (username, password_hash, aff_code, quota)
     SELECT 'bench' || i, 'x', 'aff' || i, 1000000000000 FROM generate_series(1, $1) i`,
    [USERS],
  );
  await client.query(
    `INSERT INTO tokens (user_id, key_hash, key_prefix, key_last4, name, unlimited_quota)
     SELECT u, md5('k' || u || '-' || k) || md5('h' || u || '-' || k), 'sk-bench', lpad(k::text, 4, '0'), 'key-' || k, true
     FROM generate_series(1, $1) u, generate_series(1, $2) k ORDER BY u, k`,
    [USERS, KEYS_PER_USER],
  );
  await client.query(
    `INSERT INTO channels (name, base_url, key, models)
     SELECT 'channel-' || i, 'http://127.0.0.1:9', 'x', '{}' FROM generate_series(1, $1) i`,
    [CHANNELS],
  );
  done();

  const { rows: defs } = await client.query<{ indexname: string; indexdef: string }>(
    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'logs' AND indexname <> 'logs_pkey'",
  );
  done = step(`drop ${defs.length} indexes of logs`);
  for (const d of defs) await client.query(`DROP INDEX "${d.indexname}"`);
  done();

  // rows in time order (ids follow time, as they do in production); each row draws its user
  // (20% the heavy one), model (cubed skew; the heavy user keeps to 8), key, group, channel, type
  done = step(`insert ${total.toLocaleString("en-US")} log rows`);
  await client.query(
    `INSERT INTO logs (user_id, created_at, type, username, token_name, model_name, quota, prompt_tokens,
                       completion_tokens, use_time, is_stream, channel_id, token_id, "group", request_id, other)
     SELECT u, t, ty, 'bench' || u, 'key-' || k, 'model-' || lpad(m::text, 3, '0'),
            CASE WHEN ty = 2 THEN pt * 2 + ct * 8 ELSE 0 END, pt, ct, (pt % 9), (pt % 2 = 0),
            1 + (m + CASE WHEN ch2 THEN 7 ELSE 0 END) % ${CHANNELS},
            (u - 1) * ${KEYS_PER_USER} + k, CASE WHEN g < 0.9 THEN 'default' ELSE 'vip' END,
            CASE WHEN ty = 2 THEN md5(i::text) END,
            '{"model_ratio": 1, "completion_ratio": 4, "cache_ratio": 1, "group_ratio": 1, "model_price": -1, "user_group_ratio": -1, "quota_per_unit": 500000, "billing_mode": "ratio", "usage_source": "upstream", "cache_tokens": 0}'::jsonb
     FROM (
       SELECT i,
              now() - make_interval(secs => ($1 - i)::float8 / $1 * ${DAYS} * 86400) AS t,
              CASE WHEN random() < 0.2 THEN ${HEAVY_USER} ELSE 2 + floor(random() * ${USERS - 1})::int END AS u,
              1 + floor(random() * ${KEYS_PER_USER})::int AS k,
              random() AS r, random() AS g, random() AS y,
              random() < 0.5 AS ch2,
              (10 + floor(random() * 2000))::int AS pt, floor(random() * 800)::int AS ct
       FROM generate_series(1, $1) i) s,
     LATERAL (SELECT CASE WHEN u = ${HEAVY_USER} THEN 1 + floor(r * r * 8)::int
                          ELSE 1 + floor(r * r * r * ${MODELS})::int END AS m,
                     CASE WHEN y < 0.97 THEN 2 WHEN y < 0.98 THEN 5 WHEN y < 0.99 THEN 1 ELSE 6 END AS ty) x`,
    [total],
  );
  done();

  for (const d of defs) {
    done = step(`create ${d.indexname}`);
    await client.query(d.indexdef);
    done();
  }

  done = step("rollups from the logs (hourly and daily, per user and across users)");
  const hour = "date_trunc('hour', created_at, 'UTC')";
  const day = "date_trunc('day', created_at, 'UTC')";
  for (const [table, bucket] of [
    ["usage_rollups", hour],
    ["usage_rollups_daily", day],
  ]) {
    await client.query(`
      INSERT INTO ${table} (user_id, bucket, model_name, token_id, "group", request_count, quota, prompt_tokens,
                            completion_tokens)
        SELECT user_id, ${bucket}, model_name, COALESCE(token_id, 0), "group", count(*), sum(quota),
               sum(prompt_tokens), sum(completion_tokens)
        FROM logs WHERE type = 2 GROUP BY 1, 2, 3, 4, 5`);
  }
  for (const [table, bucket] of [
    ["usage_totals", hour],
    ["usage_totals_daily", day],
  ]) {
    await client.query(`
      INSERT INTO ${table} (bucket, model_name, channel_id, "group", request_count, quota, prompt_tokens,
                            completion_tokens)
        SELECT ${bucket}, model_name, COALESCE(channel_id, 0), "group", count(*), sum(quota), sum(prompt_tokens),
               sum(completion_tokens)
        FROM logs WHERE type = 2 GROUP BY 1, 2, 3, 4`);
  }
  // per model alone, from the totals (as the migration that introduced them did)
  for (const [table, from] of [
    ["usage_model_totals", "usage_totals"],
    ["usage_model_totals_daily", "usage_totals_daily"],
  ]) {
    await client.query(`
      INSERT INTO ${table} (bucket, model_name, request_count, quota, prompt_tokens, completion_tokens)
        SELECT bucket, model_name, sum(request_count), sum(quota), sum(prompt_tokens), sum(completion_tokens)
        FROM ${from} GROUP BY 1, 2`);
  }
  done();

  done = step("vacuum analyze");
  await client.query("VACUUM ANALYZE logs");
  for (const t of [
    "usage_rollups",
    "usage_rollups_daily",
    "usage_totals",
    "usage_totals_daily",
    "usage_model_totals",
    "usage_model_totals_daily",
  ])
    await client.query(`VACUUM ANALYZE ${t}`);
  await client.query("ANALYZE users");
  await client.query("ANALYZE tokens");
  done();
  await client.query(`COMMENT ON TABLE logs IS 'bench:${total}'`);
}
