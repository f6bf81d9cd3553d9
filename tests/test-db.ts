// Where the integration tests and e2e specs keep their data: TEST_DATABASE_URL, else a database
// `tollgate_test` on the local PostgreSQL (created if missing). Never the developer's DATABASE_URL.
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/tollgate_test";
