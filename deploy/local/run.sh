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

# A demo trust root and agency certificate (made once with openssl), so
# documents issued in the demo carry the agency's signature. Settings of
# your own win.
demo_pki() {
  local dir="$DATA/pki"
  [ -f "$dir/agency.p12" ] && return 0
  command -v openssl >/dev/null 2>&1 || { log "openssl not found: the demo runs without an agency certificate."; return 1; }
  log "making a demo trust root and agency certificate in $dir…"
  mkdir -p "$dir" && chmod 700 "$dir"
  (
    cd "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout root.key -out root.pem -days 3650 -utf8 \
      -subj "/C=VN/O=Vanthu demo CA/CN=Vanthu Demo Root CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
    openssl req -newkey rsa:2048 -nodes -keyout agency.key -out agency.csr -utf8 \
      -subj "/C=VN/O=Tỉnh ủy Lào Cai/CN=Văn phòng Tỉnh ủy Lào Cai"
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n' > agency.ext
    openssl x509 -req -in agency.csr -CA root.pem -CAkey root.key -CAcreateserial -days 1095 -out agency.pem -extfile agency.ext
    openssl pkcs12 -export -inkey agency.key -in agency.pem -certfile root.pem -out agency.p12 -passout pass:vanthu-demo
    rm -f agency.csr agency.ext root.srl
  ) >/dev/null 2>&1 || { rm -rf "$dir"; log "could not make the demo certificates: the demo runs without them."; return 1; }
}
if [ -z "${VANTHU_AGENCY_P12_FILE:-}" ] && [ -z "${VANTHU_SIGNATURE_TRUST_ROOTS_FILE:-}" ] && mkdir -p "$DATA" && demo_pki; then
  export VANTHU_SIGNATURE_TRUST_ROOTS_FILE="$DATA/pki/root.pem"
  export VANTHU_AGENCY_P12_FILE="$DATA/pki/agency.p12"
  export VANTHU_AGENCY_P12_PASSWORD=vanthu-demo
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
