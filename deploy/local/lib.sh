# Shared shell functions for the local PostgreSQL and S3 servers that
# `make run` and `make test` start. Sourced, never run directly.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN="$ROOT/bin"

log() { printf '\033[1;34m[vanthu]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[vanthu]\033[0m %s\n' "$*" >&2; exit 1; }

# find_pg_bin sets PG_BIN to the folder holding initdb and pg_ctl, installing
# PostgreSQL with apt when it is missing and we are root.
find_pg_bin() {
  local d
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    PG_BIN=$(dirname "$(readlink -f "$(command -v initdb)")")
    return 0
  fi
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ]; then PG_BIN=$d; return 0; fi
  done
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "PostgreSQL binaries not found: installing them with apt-get (postgresql)…"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-contrib >&2 ||
      die "could not install PostgreSQL with apt-get"
    for d in /usr/lib/postgresql/*/bin; do
      if [ -x "$d/initdb" ]; then PG_BIN=$d; return 0; fi
    done
  fi
  die "PostgreSQL 15+ server binaries (initdb, pg_ctl) not found. Install them, e.g. 'sudo apt-get install postgresql', or set VANTHU_DATABASE_URL to an existing server."
}

# as_pg runs a command as the postgres user when we are root (initdb and
# postgres refuse to run as root), as ourselves otherwise.
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# own_by_pg hands a folder to the postgres user when we are root.
own_by_pg() {
  if [ "$(id -u)" = 0 ]; then chown -R postgres: "$1"; fi
}

# port_in_use PORT succeeds when something listens on 127.0.0.1:PORT.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port prints a port nobody listens on.
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( (RANDOM % 30000) + 20000 ))
    if ! port_in_use "$p"; then echo "$p"; return 0; fi
  done
  die "no free port found"
}

# pg_start DIR PORT MODE: initialise DIR/data once and start the server.
# MODE=throwaway turns durability off (tests only).
pg_start() {
  local dir=$1 port=$2 mode=$3 opts
  mkdir -p "$dir"
  own_by_pg "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
      --no-instructions $([ "$mode" = throwaway ] && echo --no-sync) >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  fi
  opts="-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir"
  if [ "$mode" = throwaway ]; then
    opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
  fi
  port_in_use "$port" && die "port $port is already in use; stop whatever listens there (an earlier 'make run'?)"
  as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o "$opts" >/dev/null ||
    { tail -20 "$dir/server.log" >&2; die "PostgreSQL did not start"; }
}

pg_stop() {
  local dir=$1
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -w -t 30 stop -m fast >/dev/null 2>&1 || true
  fi
}

# pg_createdb PORT NAME creates a database unless it exists.
pg_createdb() {
  local port=$1 name=$2
  as_pg "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$name'" 2>/dev/null | grep -q 1 && return 0
  as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres "$name"
}

# build_versitygw builds the pinned S3 server from the tools module.
build_versitygw() {
  if [ -x "$BIN/versitygw" ] && [ "$BIN/versitygw" -nt "$ROOT/deploy/tools/go.sum" ]; then return 0; fi
  log "building the S3-compatible server (versitygw, pinned in deploy/tools; the first build takes 1–3 minutes)…"
  mkdir -p "$BIN"
  (cd "$ROOT/deploy/tools" && go build -o "$BIN/versitygw" github.com/versity/versitygw/cmd/versitygw) ||
    die "could not build versitygw"
}

# s3_start DIR PORT ACCESS SECRET starts versitygw with versioning; sets S3_PID.
s3_start() {
  local dir=$1 port=$2 access=$3 secret=$4
  mkdir -p "$dir/data" "$dir/versions"
  port_in_use "$port" && die "port $port is already in use; stop whatever listens there (an earlier 'make run'?)"
  "$BIN/versitygw" --port "127.0.0.1:$port" --access "$access" --secret "$secret" --quiet \
    posix --versioning-dir "$dir/versions" "$dir/data" >"$dir/server.log" 2>&1 &
  S3_PID=$!
  for _ in $(seq 1 100); do
    port_in_use "$port" && return 0
    kill -0 "$S3_PID" 2>/dev/null || { cat "$dir/server.log" >&2; die "versitygw exited"; }
    sleep 0.1
  done
  die "versitygw did not listen on port $port"
}

s3_stop() {
  if [ -n "${S3_PID:-}" ]; then
    kill "$S3_PID" 2>/dev/null || true
    wait "$S3_PID" 2>/dev/null || true
    S3_PID=
  fi
}
