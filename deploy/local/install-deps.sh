#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks for `make test`: PostgreSQL
# server binaries, Chromium (browser tests) and poppler-utils (pdftotext,
# to read back generated PDFs). Needs root and apt; prints
# what to do otherwise. Safe to run again.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

need=()
have_pg=1
command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || have_pg=0
[ "$have_pg" = 1 ] || need+=(postgresql postgresql-contrib)
[ -x /usr/bin/chromium ] || [ -n "${VANTHU_TEST_CHROMIUM:-}" ] || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  die "missing packages: ${need[*]}. Install them (e.g. 'sudo apt-get install -y ${need[*]}') and run again."
fi
log "installing ${need[*]} with apt-get…"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq "${need[@]}" >&2
