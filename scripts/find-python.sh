#!/usr/bin/env bash
# Prints the path of a Python >= 3.12 interpreter, or explains what to install.
# pyenv shims exist for versions that are installed but not selected; they fail
# when run, so every candidate is executed, not just looked up.
set -u
check() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
for c in python3.14 python3.13 python3.12 python3; do
  if command -v "$c" >/dev/null 2>&1 && check "$c"; then command -v "$c"; exit 0; fi
done
for c in $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do
  if [ -x "$c" ] && check "$c"; then echo "$c"; exit 0; fi
done
echo "No Python >= 3.12 found. Install one, e.g.: apt-get install -y python3.12 python3.12-venv (or pyenv install 3.13)" >&2
exit 1
