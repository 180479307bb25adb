#!/usr/bin/env bash
# pg-throwaway.sh - start a disposable PostgreSQL cluster for tests.
#
# incidentkit's copy of the reference script in ../shared/scripts; local change: PG_WATCH_PID.
#
# Usage:
#   scripts/pg-throwaway.sh                 # start, print DATABASE_URL, block until SIGINT/SIGTERM, then clean up
#   scripts/pg-throwaway.sh -- CMD [ARGS]   # start, run CMD with DATABASE_URL/PG* exported, clean up, exit with CMD's status
#
# Env knobs (all optional):
#   PG_BIN        directory holding initdb/pg_ctl/postgres (default: auto-detect)
#   PG_DB         database name to create            (default: app_test)
#   PG_USER_OS    OS user that owns/runs the cluster when invoked as root
#                 (default: existing "postgres" user, else a system user "pgtmp" is created)
#   PG_TMP_PARENT parent dir for the throwaway dir   (default: /tmp; must be traversable by PG_USER_OS)
#   PG_URL_FILE   if set, the connection URL is also written to this file (for test harnesses)
#   PG_NO_INSTALL=1  never fall back to apt-get
#   PG_WATCH_PID  when blocking, also stop (and clean up) as soon as this process is gone, so a
#                 test runner that dies without signalling us never leaves a server behind
#
# Only initdb, pg_ctl and postgres are required (no psql/createdb): the database is
# created in single-user mode before the server starts.
set -Eeuo pipefail

PG_DB="${PG_DB:-app_test}"
PG_TMP_PARENT="${PG_TMP_PARENT:-/tmp}"
log() { printf '[pg-throwaway] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ "$PG_DB" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "PG_DB must be a plain identifier"

# ---------- 1. locate binaries (fallback: apt-get install postgresql) ----------
find_pg_bin() {
  local c d
  for c in "${PG_BIN:-}" \
           "$(dirname "$(readlink -f "$(command -v pg_ctl 2>/dev/null || echo /nonexistent)")")" \
           $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [[ -n "$c" && -x "$c/initdb" && -x "$c/pg_ctl" && -x "$c/postgres" ]] && { echo "$c"; return 0; }
  done
  return 1
}
if ! BIN="$(find_pg_bin)"; then
  [[ "${PG_NO_INSTALL:-0}" == 1 ]] && die "PostgreSQL binaries not found (PG_NO_INSTALL=1)"
  [[ $EUID -eq 0 ]] || die "PostgreSQL binaries not found and not root: install the 'postgresql' package"
  log "PostgreSQL binaries not found; installing via apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y --no-install-recommends postgresql >&2
  BIN="$(find_pg_bin)" || die "still no initdb/pg_ctl/postgres after apt-get install"
fi
log "using $("$BIN/postgres" --version) from $BIN"

# ---------- 2. choose the OS user that runs the server ----------
if [[ $EUID -eq 0 ]]; then
  OS_USER="${PG_USER_OS:-}"
  if [[ -z "$OS_USER" ]]; then
    if id -u postgres >/dev/null 2>&1; then OS_USER=postgres; else OS_USER=pgtmp; fi
  fi
  if ! id -u "$OS_USER" >/dev/null 2>&1; then
    log "creating system user $OS_USER"
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$OS_USER"
  fi
  as_pg() {
    if command -v runuser >/dev/null 2>&1; then runuser -u "$OS_USER" -- "$@"
    else su -s /bin/sh "$OS_USER" -c "$(printf '%q ' "$@")"; fi
  }
else
  OS_USER="$(id -un)"
  as_pg() { "$@"; }
fi

# ---------- 3. throwaway dir + cleanup trap ----------
TMP="$(mktemp -d "$PG_TMP_PARENT/pgtmp.XXXXXX")"
DATA="$TMP/data"
LOGF="$TMP/server.log"
STARTED=0
CLEANED=0
SLEEP_PID=""
cleanup() {
  [[ $CLEANED == 1 ]] && return 0
  CLEANED=1
  [[ -n "$SLEEP_PID" ]] && kill "$SLEEP_PID" 2>/dev/null || true
  if [[ $STARTED == 1 && -f "$DATA/postmaster.pid" ]]; then
    # pg_ctl signals the postmaster by the pid in its own postmaster.pid
    as_pg "$BIN/pg_ctl" -D "$DATA" -m immediate -w -t 30 stop >/dev/null 2>&1 || {
      pid="$(head -1 "$DATA/postmaster.pid" 2>/dev/null || true)"
      [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null || true
    }
  fi
  rm -rf -- "$TMP"
  log "stopped and removed cluster"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

chmod 700 "$TMP"
[[ $EUID -eq 0 ]] && chown "$OS_USER" "$TMP"

# ---------- 4. initdb (trust on the private unix socket, scram on TCP) ----------
PASS="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$PASS" > "$TMP/pwfile"
[[ $EUID -eq 0 ]] && chown "$OS_USER" "$TMP/pwfile"
as_pg "$BIN/initdb" -D "$DATA" -U postgres --pwfile="$TMP/pwfile" \
  --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C --no-sync >"$TMP/initdb.log" 2>&1 \
  || { cat "$TMP/initdb.log" >&2; die "initdb failed"; }
rm -f "$TMP/pwfile"

cat >>"$DATA/postgresql.conf" <<EOF
# --- pg-throwaway: test-only settings (NOT durable) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$TMP'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
logging_collector = off
EOF

# create the database in single-user mode (needs neither psql nor createdb)
echo "CREATE DATABASE \"$PG_DB\";" | as_pg "$BIN/postgres" --single -D "$DATA" -c exit_on_error=true postgres \
  >"$TMP/single.log" 2>&1 || { cat "$TMP/single.log" >&2; die "CREATE DATABASE failed"; }

# ---------- 5. start on a free 127.0.0.1 port (retry on a bind race) ----------
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=""
for attempt in 1 2 3 4 5 6 7 8; do
  p="$(shuf -i 20000-60999 -n 1)"
  port_in_use "$p" && continue
  if as_pg "$BIN/pg_ctl" -D "$DATA" -l "$LOGF" -o "-p $p" -w -t 60 start >/dev/null 2>&1; then
    PORT="$p"; STARTED=1; break
  fi
  log "start on port $p failed (attempt $attempt); retrying"
  tail -n 5 "$LOGF" >&2 || true
done
[[ -n "$PORT" ]] || die "could not start postgres"

URL="postgresql://postgres:${PASS}@127.0.0.1:${PORT}/${PG_DB}"
export DATABASE_URL="$URL" PGHOST=127.0.0.1 PGPORT="$PORT" PGUSER=postgres PGPASSWORD="$PASS" PGDATABASE="$PG_DB"
[[ -n "${PG_URL_FILE:-}" ]] && { umask 077; printf '%s\n' "$URL" > "$PG_URL_FILE"; }
log "ready: pid $(head -1 "$DATA/postmaster.pid"), port $PORT, db $PG_DB"
printf 'DATABASE_URL=%s\n' "$URL"

# ---------- 6. run the command, or block until signalled ----------
if [[ "${1:-}" == "--" ]]; then
  shift
  [[ $# -gt 0 ]] || die "no command after --"
  set +e
  "$@"
  rc=$?
  set -e
  exit "$rc"
fi
log "press Ctrl-C (or send SIGTERM to $$) to stop"
if [[ -n "${PG_WATCH_PID:-}" ]]; then
  while kill -0 "$PG_WATCH_PID" 2>/dev/null; do sleep 1 & SLEEP_PID=$!; wait "$SLEEP_PID" || true; done
  log "process $PG_WATCH_PID is gone; stopping"
  exit 0
fi
while true; do sleep 3600 & SLEEP_PID=$!; wait "$SLEEP_PID" || true; done
