#!/usr/bin/env bash
# CPU seconds a command and every process it starts used, whatever else the machine runs:
#   scripts/cpu_seconds.sh make test
# /usr/bin/time counts only the processes its command waits for, so it misses Chromium's and the
# PostgreSQL server's (they are not reaped by pytest); a cgroup counts them all. Needs root and
# cgroup v1's cpuacct controller (/sys/fs/cgroup/cpuacct), as on this project's machines.
set -uo pipefail
root=/sys/fs/cgroup/cpuacct
if [ ! -w "$root" ]; then
  echo "!! $root is not writable (root and cgroup v1 cpuacct needed)" >&2
  exec "$@"
fi
group="$root/cpu_seconds.$$"
mkdir "$group"
echo $$ >"$group/cgroup.procs"
start=$(date +%s.%N)
"$@"
rc=$?
end=$(date +%s.%N)
used=$(cat "$group/cpuacct.usage")
echo $$ >"$root/cgroup.procs"
rmdir "$group" 2>/dev/null || true
awk -v ns="$used" -v a="$start" -v b="$end" 'BEGIN { printf "cpu_seconds %.1f, wall %.1f s\n", ns / 1e9, b - a }' >&2
exit $rc
