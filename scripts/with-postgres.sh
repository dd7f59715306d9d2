#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster (started here, removed after).
#   scripts/with-postgres.sh .venv/bin/pytest
# Needs the PostgreSQL server binaries (initdb, pg_ctl); installs Debian's
# postgresql package when run as root and they are missing.
set -euo pipefail
find_bin() {
  command -v "$1" 2>/dev/null && return 0
  ls -d /usr/lib/postgresql/*/bin/"$1" 2>/dev/null | sort -V | tail -1
}
INITDB="$(find_bin initdb || true)"
if [ -z "$INITDB" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> apt-get install postgresql"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    INITDB="$(find_bin initdb)"
  else
    echo "!! PostgreSQL server binaries not found. Run: sudo apt-get install -y postgresql" >&2
    exit 1
  fi
fi
PGBIN="$(dirname "$INITDB")"
D="$(mktemp -d)"
mkdir -p "$D/sock"
RUN=()
if [ "$(id -u)" = 0 ]; then
  PGUSER_OS=postgres
  id -u postgres >/dev/null 2>&1 || PGUSER_OS=nobody
  chown -R "$PGUSER_OS" "$D"
  RUN=(runuser -u "$PGUSER_OS" --)
fi
chmod 700 "$D"
PORT="${PGPORT_TEST:-$((20000 + RANDOM % 20000))}"
cleanup() { "${RUN[@]}" "$PGBIN/pg_ctl" -D "$D/data" -m immediate -w stop >/dev/null 2>&1 || true; rm -rf "$D"; }
trap cleanup EXIT
"${RUN[@]}" "$PGBIN/initdb" -D "$D/data" -U app --auth=trust -E UTF8 --locale=C --no-sync >/dev/null
"${RUN[@]}" "$PGBIN/pg_ctl" -D "$D/data" -l "$D/log" -w start \
  -o "-c listen_addresses='' -k $D/sock -p $PORT -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
# The test runner creates and drops its own test database through the "postgres" one.
export DATABASE_ENGINE=postgresql DATABASE_HOST="$D/sock" DATABASE_PORT="$PORT" DATABASE_USER=app DATABASE_NAME=postgres
echo "==> PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on $D/sock:$PORT"
"$@"
