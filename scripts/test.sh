#!/usr/bin/env bash
# `npm test`: every suite, in order, stopping at the first failure.
#   unit (vitest) -> integration (vitest, real PostgreSQL) -> next build -> e2e (Playwright, Chromium)
# Needs the local PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379), and /usr/bin/chromium;
# .ci/run starts and installs them on CI.
set -uo pipefail
cd "$(dirname "$0")/.."

export PRISMA_SCHEMA_ENGINE_BINARY=/bin/false CHECKPOINT_DISABLE=1 NEXT_TELEMETRY_DISABLED=1
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/tollgate_test}"
export E2E_DATABASE_URL="${E2E_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/tollgate_e2e}"

STARTED=$SECONDS
PASSED=()
CURRENT=""

finish() {
  local rc=$?
  local took=$((SECONDS - STARTED))
  if [[ $rc -eq 0 ]]; then
    echo "test.sh: PASSED ${#PASSED[@]} suites (${PASSED[*]}) in ${took}s"
  else
    echo "test.sh: FAILED at ${CURRENT:-setup} after ${took}s${PASSED[*]:+ (passed: ${PASSED[*]})}" >&2
  fi
}
trap finish EXIT

# host and port of a postgresql:// URL, as "host port"
host_port() {
  node -e 'const u = new URL(process.argv[1]); console.log(`${u.hostname || "127.0.0.1"} ${u.port || 5432}`)' "$1"
}

reachable() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

CURRENT="services"
missing=0
for url in "$TEST_DATABASE_URL" "$E2E_DATABASE_URL"; do
  read -r host port < <(host_port "$url")
  if ! reachable "$host" "$port"; then
    echo "test.sh: PostgreSQL is not running at $host:$port (needed for ${url##*/})." >&2
    echo "         start it: pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start" >&2
    missing=1
    break
  fi
done
if ! reachable 127.0.0.1 6379; then
  echo "test.sh: Redis is not running at 127.0.0.1:6379." >&2
  echo "         start it: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save \"\" --appendonly no" >&2
  missing=1
fi
if [[ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]]; then
  echo "test.sh: ${CHROMIUM_PATH:-/usr/bin/chromium} is missing (e2e): apt-get install -y chromium" >&2
  missing=1
fi
[[ $missing -eq 0 ]] || exit 1

if [[ ! -f prisma/generated/client.ts ]]; then
  CURRENT="prisma generate"
  echo "==> prisma generate"
  npm run -s db:generate || exit 1
fi

run() {
  CURRENT="$1"
  shift
  echo
  echo "==> $CURRENT: $*"
  local t=$SECONDS
  "$@" || exit 1
  PASSED+=("$CURRENT")
  echo "==> $CURRENT passed in $((SECONDS - t))s"
}

run unit npx vitest run --project unit
run integration npx vitest run --project int
run build npx next build
run e2e npx playwright test
