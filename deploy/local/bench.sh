#!/usr/bin/env bash
# `make bench`: start PostgreSQL (throwaway durability, but with bench-sized
# memory) and versitygw on free ports, build bin/vanthu and bin/vanthu-bench,
# and run the load benchmark: 1,000,000 incoming documents, then list,
# search, document page and registration latencies and the server's peak RSS.
#
# The seeded database is kept in .local/bench/pg (git-ignored) so the next
# run skips the seed; BENCH_RESEED=1 forces a fresh one. S3 data is
# throwaway. Results: .local/bench/results.json.
#
# Environment:
#   BENCH_RESEED=1        drop the bench database and seed it again
#   BENCH_DOCS=N          documents to seed (default 1000000; a different N reseeds)
#   BENCH_PG_OPTS='…'     extra postgres options (-c name=value …)
#   VANTHU_BENCH_DIR=DIR  cache folder (default .local/bench)
# Extra arguments go to bin/vanthu-bench (see bin/vanthu-bench -h).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

DATA=${VANTHU_BENCH_DIR:-$ROOT/.local/bench}
TMP=$(mktemp -d /tmp/vanthu-bench.XXXXXX)
chmod 755 "$TMP"
S3_PID=
STARTED_PG=
VGW_BUILD=
BENCH_PID=
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [ -n "$VGW_BUILD" ] && kill "$VGW_BUILD" 2>/dev/null
  if [ -n "$BENCH_PID" ]; then
    kill "$BENCH_PID" 2>/dev/null || true # it stops its vanthu serve
    wait "$BENCH_PID" 2>/dev/null || true
  fi
  s3_stop
  [ -n "$STARTED_PG" ] && pg_stop "$DATA/pg"
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# bench_pg_start DIR PORT: like pg_start in lib.sh (throwaway durability:
# the data is a cache that BENCH_RESEED=1 rebuilds), plus memory sized for a
# million documents and a log of slow statements.
bench_pg_start() {
  local dir=$1 port=$2 opts
  mkdir -p "$dir"
  own_by_pg "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
      --no-instructions --no-sync >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  fi
  # A bench killed hard may have left its server running: stop it (it is
  # ours: it runs on this cache folder).
  if as_pg "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    log "stopping a PostgreSQL left running on $dir by an earlier bench…"
    as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -w -t 60 stop -m fast >/dev/null
  fi
  opts="-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir"
  opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
  opts="$opts -c shared_buffers=512MB -c work_mem=16MB -c maintenance_work_mem=512MB -c effective_cache_size=4GB"
  opts="$opts -c max_wal_size=8GB -c checkpoint_timeout=30min -c log_min_duration_statement=250ms"
  opts="$opts ${BENCH_PG_OPTS:-}"
  port_in_use "$port" && die "port $port is already in use"
  as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 120 start -o "$opts" >/dev/null ||
    { tail -20 "$dir/server.log" >&2; die "PostgreSQL did not start"; }
}

find_pg_bin
build_versitygw &
VGW_BUILD=$!
log "building bin/vanthu and bin/vanthu-bench…"
go build -o "$BIN/vanthu" ./cmd/vanthu
go build -o "$BIN/vanthu-bench" ./cmd/vanthu-bench
wait "$VGW_BUILD" || die "could not build versitygw"
VGW_BUILD=

mkdir -p "$DATA"
PG_PORT=$(free_port)
log "starting PostgreSQL on 127.0.0.1:$PG_PORT (data kept in $DATA/pg)…"
bench_pg_start "$DATA/pg" "$PG_PORT"
STARTED_PG=1
S3_PORT=$(free_port)
s3_start "$TMP/s3" "$S3_PORT" vanthu-bench vanthu-bench-secret

export VANTHU_BENCH_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/vanthu_bench?sslmode=disable"
export VANTHU_BENCH_ADMIN_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable"
export VANTHU_BENCH_S3_ENDPOINT="127.0.0.1:$S3_PORT"
export VANTHU_BENCH_S3_ACCESS_KEY=vanthu-bench
export VANTHU_BENCH_S3_SECRET_KEY=vanthu-bench-secret
export VANTHU_BENCH_VANTHU="$BIN/vanthu"
export VANTHU_BENCH_DIR="$DATA"

# In the background so a TERM reaches the trap (and the benchmark) at once.
"$BIN/vanthu-bench" "$@" &
BENCH_PID=$!
wait "$BENCH_PID"
BENCH_PID=
