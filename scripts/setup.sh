#!/usr/bin/env bash
# Sets up everything the app needs on a fresh Debian machine:
#   scripts/setup.sh          runtime (.venv + requirements.txt + WeasyPrint libs)
#   scripts/setup.sh dev      also requirements-dev.txt, poppler-utils, chromium (and its headless
#                             shell, which the browser tests drive), and Node.js with
#                             the test identity provider (tests/idp: oidc-provider, npm ci)
# Idempotent: a second run installs nothing and takes a second or two.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE="${1:-run}"

# --- Debian packages -------------------------------------------------------
DEB_RUN="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-dejavu-extra fonts-droid-fallback"
DEB_DEV="poppler-utils chromium chromium-headless-shell nodejs npm"
want="$DEB_RUN"; [ "$MODE" = dev ] && want="$want $DEB_DEV"
missing=""
for p in $want; do
  # Node.js from elsewhere (nodesource, nvm) serves as well as Debian's packages.
  case "$p" in nodejs) command -v node >/dev/null && continue ;; npm) command -v npm >/dev/null && continue ;; esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> apt-get install:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    echo "!! Missing Debian packages:$missing" >&2
    echo "!! Run: sudo apt-get install -y$missing" >&2
  fi
fi

# --- The single sign-on tests' identity provider (tests/idp, Node.js) --------------------
# npm ci runs beside the Python install below (about 3 s of a fresh machine's 12); its result is
# awaited at the end.
npm_pid=""
if [ "$MODE" = dev ]; then
  if ! command -v npm >/dev/null; then
    echo "!! npm is missing: the single sign-on tests (tests/core/test_sso_idp.py) will fail" >&2
  elif [ ! -f tests/idp/node_modules/.package-lock.json ] || [ tests/idp/package-lock.json -nt tests/idp/node_modules/.package-lock.json ]; then
    echo "==> npm ci (tests/idp)"
    (cd tests/idp && npm ci --no-audit --no-fund --loglevel=error >/dev/null) &
    npm_pid=$!
    # If the Python install fails, npm ci stops with it (a rerun would start another on the same folder).
    trap '[ -n "$npm_pid" ] && kill "$npm_pid" 2>/dev/null; true' EXIT
  fi
fi

# --- Python virtualenv -----------------------------------------------------
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
  PY="$(scripts/find-python.sh)"
  echo "==> creating .venv with $PY"
  rm -rf .venv
  "$PY" -m venv .venv
fi
req=requirements.txt; [ "$MODE" = dev ] && req=requirements-dev.txt
stamp=".venv/.installed-$MODE"
if [ ! -f "$stamp" ] || [ requirements.txt -nt "$stamp" ] || [ "$req" -nt "$stamp" ]; then
  # uv installs the same pinned requirements in 15 s where pip takes 21 (parallel downloads and
  # bytecode compiling); pip does it when uv cannot be had. The bytecode is compiled here because
  # where PYTHONDONTWRITEBYTECODE is set, as on this project's machines, no import outside `make`
  # writes it (the Makefile lets Python write it): each such process would compile Django and the
  # rest again (2.1 s of CPU instead of 0.9), and under `make test` both shares would at once.
  echo "==> uv pip install -r $req"
  if ! { .venv/bin/pip install -q --disable-pip-version-check uv >/dev/null 2>&1 &&
    .venv/bin/uv pip install -q --compile-bytecode --python .venv/bin/python -r "$req"; }; then
    echo "==> pip install -r $req"
    .venv/bin/pip install -q --disable-pip-version-check -r "$req"
  fi
  touch "$stamp"
fi

if [ -n "$npm_pid" ]; then
  npm_ok=0
  wait "$npm_pid" || npm_ok=$?
  npm_pid=""
  if [ "$npm_ok" != 0 ]; then
    echo "!! npm ci failed in tests/idp" >&2
    exit 1
  fi
fi
