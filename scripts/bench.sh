#!/usr/bin/env bash
# Produces the figures in BENCHMARKS.md: Go benchmarks of the validation
# pipeline, the time of one `byoos validate` process, and the running server
# under the load tool (loopback only, bounded in time) on SQLite and PostgreSQL.
#   scripts/bench.sh            # everything (takes a few minutes)
#   SEED_PACKS=100000 SEED_PROFILES=10000 scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10s}"
SEED_PACKS="${SEED_PACKS:-100000}"
SEED_PROFILES="${SEED_PROFILES:-10000}"
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "${PGDATA:-}" ]; then runuser -u byoos-pg -- pg_ctl -D "$PGDATA" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/byoos" ./cmd/byoos
go build -o "$work/byoos-load" ./cmd/byoos-load

echo "== validation pipeline (one core)"
go test -run '^$' -bench 'ValidateAndRender' -benchtime 3s -cpu 1 ./profile | grep -E '^Benchmark'

echo "== verify: 200 Edge images over 3 registries adding 50 ms each"
go test -run '^$' -bench 'BenchmarkVerify200EdgeImages/parallel=32' -benchtime 5x ./preflight/edge | grep -E '^Benchmark'

echo "== byoos validate, whole process (30 runs)"
python3 - "$work/byoos" <<'PY'
import subprocess, sys, time
ts = []
for _ in range(30):
    t = time.perf_counter()
    subprocess.run([sys.argv[1], "validate", "examples/edge-native.yaml"], stdout=subprocess.DEVNULL, check=True)
    ts.append(time.perf_counter() - t)
ts.sort()
print("median %.1f ms, p90 %.1f ms" % (ts[15] * 1000, ts[27] * 1000))
PY

load() { "$work/byoos-load" --data "$work/$1" --server "$2" --duration "$DURATION" "${@:3}"; }

echo "== server on SQLite"
"$work/byoos" serve --data "$work/sqlite" --addr 127.0.0.1:18550 --log-level info 2>"$work/sqlite.log" &
pid=$!; pids+=("$pid"); url=https://127.0.0.1:18550
for _ in $(seq 100); do grep -q "byoos is serving" "$work/sqlite.log" 2>/dev/null && break; sleep 0.05; done
sleep 2
load sqlite $url --scenario none --pid "$pid" | sed 's/^/idle: /'
load sqlite $url --scenario baseline
load sqlite $url --scenario lookup --pid "$pid"
load sqlite $url --scenario filter
load sqlite $url --scenario create
load sqlite $url --scenario private-lookup --seed-packs 640 --duration 1s >/dev/null
load sqlite $url --scenario private-lookup
echo "-- seeding $SEED_PACKS pack versions and $SEED_PROFILES profiles"
load sqlite $url --scenario none --seed-packs "$SEED_PACKS" --seed-profiles "$SEED_PROFILES"
load sqlite $url --scenario lookup --pid "$pid"
load sqlite $url --scenario filter
load sqlite $url --scenario private-lookup

echo "== server on PostgreSQL"
PGBIN=$(dirname "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | tail -1)")
id byoos-pg >/dev/null 2>&1 || useradd --system --no-create-home byoos-pg
PGDATA="$work/pg"; mkdir -p "$PGDATA"; chown byoos-pg "$PGDATA" "$work"
runuser -u byoos-pg -- "$PGBIN/initdb" -D "$PGDATA" -A trust -U postgres --no-sync >/dev/null
runuser -u byoos-pg -- "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/log" -o "-p 55432 -k $PGDATA -c listen_addresses=127.0.0.1" -w start >/dev/null
"$work/byoos" serve --data "$work/pgserver" --addr 127.0.0.1:18551 --log-level warn --database "postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable" 2>"$work/pgserver.log" &
pids+=("$!"); url=https://127.0.0.1:18551
for _ in $(seq 100); do [ -f "$work/pgserver/admin-api-key" ] && break; sleep 0.1; done; sleep 1
load pgserver $url --scenario create
load pgserver $url --scenario lookup
