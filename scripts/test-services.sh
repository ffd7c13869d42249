#!/usr/bin/env bash
# Makes sure what the test suite talks to is there: PostgreSQL, Redis and Chromium.
# Uses what is running; starts or installs what is missing (as root, from Debian's
# packages). Outside CI a service that cannot be had is reported and its tests skip;
# with CI=true the suite must run them all, so a missing service fails here.
# Writes the connection settings to var/test-env.sh for `make test` to source.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
ENV_FILE=var/test-env.sh
: > "$ENV_FILE"
CI_MODE=false; case "${CI:-}" in 1|true|TRUE|yes) CI_MODE=true;; esac
APT_UPDATED=false

say() { echo "[test-services] $*"; }
can_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }
apt_install() {
  can_apt || return 1
  if [ "$APT_UPDATED" = false ]; then apt-get update -qq >/dev/null 2>&1; APT_UPDATED=true; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1
}
missing() {
  if [ "$CI_MODE" = true ]; then say "FAIL: $1 (CI must run these tests)"; exit 1; fi
  say "WARNING: $1 — those tests will be skipped"
}

# --- PostgreSQL -----------------------------------------------------------------
pg_trust_ok() { psql "postgresql://postgres@127.0.0.1:${1}/postgres" -Atqc 'select 1' >/dev/null 2>&1; }
start_system_pg() {
  command -v pg_ctlcluster >/dev/null || return 1
  local v; v=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1); [ -n "$v" ] || return 1
  pg_ctlcluster --skip-systemctl-redirect "$v" main start >/dev/null 2>&1 || true
  sleep 1
}
start_private_pg() {
  # A private cluster with trust auth on 127.0.0.1:54329, owned by the postgres user.
  local bin; bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$bin" ] || { apt_install postgresql && bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1); } || return 1
  local dir=/tmp/yimen-pg
  id postgres >/dev/null 2>&1 || return 1
  if [ ! -f "$dir/PG_VERSION" ]; then
    install -d -o postgres "$dir"
    su postgres -c "$bin/initdb -D $dir -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null || return 1
  fi
  su postgres -c "$bin/pg_ctl -D $dir -o '-p 54329 -k /tmp -c listen_addresses=127.0.0.1' -l $dir/log -w start" >/dev/null 2>&1 || true
  pg_trust_ok 54329
}
PG_PORT=""
command -v psql >/dev/null || apt_install postgresql-client || true
if pg_trust_ok 5432; then PG_PORT=5432
elif start_system_pg && pg_trust_ok 5432; then PG_PORT=5432
elif start_private_pg; then PG_PORT=54329
fi
if [ -n "$PG_PORT" ]; then
  say "PostgreSQL on 127.0.0.1:$PG_PORT"
  echo "export YIMEN_TEST_PG_ADMIN_DSN=postgresql://postgres@127.0.0.1:$PG_PORT/postgres" >> "$ENV_FILE"
else
  missing "no PostgreSQL server with trust auth could be reached or started"
fi

# --- Redis ----------------------------------------------------------------------
redis_ok() { python3 - <<'PY' 2>/dev/null
import socket; s = socket.create_connection(("127.0.0.1", 6379), 2); s.sendall(b"PING\r\n"); assert s.recv(16).startswith(b"+PONG")
PY
}
if ! redis_ok; then
  command -v redis-server >/dev/null || apt_install redis-server || true
  if command -v redis-server >/dev/null; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null 2>&1 || true
    sleep 1
  fi
fi
if redis_ok; then say "Redis on 127.0.0.1:6379"; else missing "no Redis server"; fi

# --- Chromium for the browser tests (Debian's, never a downloaded browser) --------
if [ ! -x /usr/bin/chromium ]; then apt_install chromium fonts-noto-cjk || true; fi
if [ -x /usr/bin/chromium ]; then say "Chromium at /usr/bin/chromium"; else missing "no /usr/bin/chromium"; fi

# --- CJK fonts for the case documents' PDFs (WeasyPrint renders with Noto CJK) -----
cjk_ok() { local fonts; fonts=$(fc-list : family 2>/dev/null); grep -q "Noto Serif CJK SC\|Noto Sans CJK SC" <<<"$fonts"; }
if ! cjk_ok; then apt_install fonts-noto-cjk || true; fi
if cjk_ok; then say "Noto CJK fonts"; else missing "no Noto CJK fonts (apt: fonts-noto-cjk)"; fi
exit 0
