#!/usr/bin/env bash
# `make test`: start a throwaway PostgreSQL and versitygw on free ports,
# run every check and test against them, and stop them however it ends.
# Extra arguments go to `go test` (e.g. make test ARGS='-run TestX ./internal/org').
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

TMP=$(mktemp -d /tmp/vanthu-test.XXXXXX)
chmod 755 "$TMP"
S3_PID=
STARTED_PG=
VGW_BUILD=
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [ -n "$VGW_BUILD" ] && kill "$VGW_BUILD" 2>/dev/null
  s3_stop
  [ -n "$STARTED_PG" ] && pg_stop "$TMP/pg"
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

find_pg_bin
# Build the S3 server while the checks compile the project.
build_versitygw &
VGW_BUILD=$!

if [ $# -eq 0 ]; then
  log "checking formatting, generated code and vet…"
  unformatted=$(gofmt -l $(git ls-files '*.go' | grep -v '_templ.go$') 2>/dev/null || true)
  [ -z "$unformatted" ] || die "gofmt would change: $unformatted"
  go tool templ generate -check -log-level error || die "generated templ code is stale: run 'go tool templ generate' and commit"
  go tool templ fmt -fail web >/dev/null || die "templ files are not formatted: run 'go tool templ fmt web'"
  go vet ./...
fi
wait "$VGW_BUILD" || die "could not build versitygw"
VGW_BUILD=

PG_PORT=$(free_port)
pg_start "$TMP/pg" "$PG_PORT" throwaway
STARTED_PG=1
S3_PORT=$(free_port)
s3_start "$TMP/s3" "$S3_PORT" vanthu-test "vanthu-test-secret"

export VANTHU_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable"
export VANTHU_TEST_S3_ENDPOINT="127.0.0.1:$S3_PORT"
export VANTHU_TEST_S3_ACCESS_KEY=vanthu-test
export VANTHU_TEST_S3_SECRET_KEY=vanthu-test-secret
export VANTHU_TEST_VERSITYGW="$BIN/versitygw"

if [ $# -gt 0 ]; then
  go test "$@"
  exit
fi

log "running tests (PostgreSQL on :$PG_PORT, S3 on :$S3_PORT)…"
go test -race -count=1 -timeout 30m ./...
