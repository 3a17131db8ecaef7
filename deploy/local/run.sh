#!/usr/bin/env bash
# `make run`: start PostgreSQL and versitygw with persistent data under
# .local/ (unless VANTHU_DATABASE_URL and VANTHU_S3_ENDPOINT point at
# servers of your own), migrate, seed the demo, and serve. Ctrl-C stops
# everything this script started.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DATA=${VANTHU_LOCAL_DIR:-$ROOT/.local}
PG_PORT=${VANTHU_LOCAL_PG_PORT:-54329}
S3_PORT=${VANTHU_LOCAL_S3_PORT:-59000}
S3_PID=
STARTED_PG=
SERVER_PID=
VGW_BUILD=

cleanup() {
  trap - EXIT INT TERM
  [ -n "$VGW_BUILD" ] && kill "$VGW_BUILD" 2>/dev/null
  if [ -n "$SERVER_PID" ]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  s3_stop
  [ -n "$STARTED_PG" ] && pg_stop "$DATA/pg"
  log "stopped."
}
trap cleanup EXIT
trap 'exit 130' INT TERM

LOCAL=1
if [ -n "${VANTHU_DATABASE_URL:-}" ] && [ -n "${VANTHU_S3_ENDPOINT:-}" ]; then
  LOCAL=
  log "using the PostgreSQL and S3 servers given in VANTHU_DATABASE_URL and VANTHU_S3_ENDPOINT; starting none."
else
  find_pg_bin
  # Most of a cold start is downloading and compiling modules: the S3
  # server builds while Vanthu builds and starts; the server waits for the
  # bucket and /readyz says so meanwhile.
  # nice: the server's own build gets the CPU first.
  (renice -n 15 -p $BASHPID >/dev/null 2>&1; build_versitygw) &
  VGW_BUILD=$!
fi
# Generated templ code is committed, so running needs only the Go build.
log "building vanthu…"
go build -o "$BIN/vanthu" ./cmd/vanthu

if [ -n "$LOCAL" ]; then
  mkdir -p "$DATA"
  log "starting PostgreSQL on 127.0.0.1:$PG_PORT (data in $DATA/pg)…"
  pg_start "$DATA/pg" "$PG_PORT" persistent
  STARTED_PG=1
  pg_createdb "$PG_PORT" vanthu
  export VANTHU_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/vanthu?sslmode=disable"
  export VANTHU_S3_ENDPOINT="127.0.0.1:$S3_PORT"
  export VANTHU_S3_ACCESS_KEY=${VANTHU_S3_ACCESS_KEY:-vanthu-dev}
  export VANTHU_S3_SECRET_KEY=${VANTHU_S3_SECRET_KEY:-vanthu-dev-secret}
fi

VANTHU="$BIN/vanthu"
"$VANTHU" migrate up
LOGINS=$("$VANTHU" seed --demo)

ADDR=${VANTHU_HTTP_ADDR:-127.0.0.1:8080}
"$VANTHU" serve &
SERVER_PID=$!
for _ in $(seq 1 200); do
  port_in_use "${ADDR##*:}" && break
  kill -0 "$SERVER_PID" 2>/dev/null || exit 1
  sleep 0.1
done
printf '\n  Vanthu is running at %s\n\n%s\n\n' "${VANTHU_BASE_URL:-http://$ADDR}" "$LOGINS"

if [ -n "$LOCAL" ]; then
  wait "$VGW_BUILD" || die "could not build versitygw"
  VGW_BUILD=
  log "starting the S3-compatible server on 127.0.0.1:$S3_PORT (data in $DATA/s3)…"
  s3_start "$DATA/s3" "$S3_PORT" "$VANTHU_S3_ACCESS_KEY" "$VANTHU_S3_SECRET_KEY"
fi
log "Ctrl-C stops the server and everything make run started."
wait "$SERVER_PID"
