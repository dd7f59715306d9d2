#!/usr/bin/env bash
# A screen-reader pass with Orca over a staff section page and the vendor portal (docs/accessibility.md).
# Not part of `make test`: it needs Orca, a virtual X display and about two minutes.
#
#   scripts/orca-pass.sh                 # both pages; transcript in test-artifacts/orca/transcript.md
#   scripts/orca-pass.sh --only staff    # or --only portal
#
# What it does, in a scratch directory (WORK, default /tmp/orca-pass):
#   1. a scratch SQLite database with the shipped bank's versions 1-4 and the demo data (seed_demo, which
#      also prints the vendor link of the draft assessment A-1), served by runserver on 127.0.0.1:$PORT;
#   2. Xvfb on display :$DISPLAY_NUM, a private D-Bus session (dbus-run-session) with the AT-SPI bus;
#   3. Orca 43 with fresh preferences (key echo and braille off), speaking through speech-dispatcher and
#      espeak-ng into ALSA's null device, its speech written line by line to speech.log
#      (scripts/orca_logged.py; Orca's --debug-file is written too, in full, but only at exit);
#   4. Debian's Chromium with --force-renderer-accessibility;
#   5. scripts/orca_pass.py presses keys with xdotool and records what Orca says after each.
# Needs (Debian): orca xvfb xdotool dbus-x11 speech-dispatcher speech-dispatcher-espeak-ng chromium;
# installs them when run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
PORT="${PORT:-8771}"
DISPLAY_NUM="${DISPLAY_NUM:-71}"
WORK="${WORK:-/tmp/orca-pass}"
OUT="${OUT:-$ROOT/test-artifacts/orca}"
PY="${PY:-$ROOT/.venv/bin/python}"

need=()
for pair in orca:orca Xvfb:xvfb xdotool:xdotool dbus-run-session:dbus-bin speech-dispatcher:speech-dispatcher \
    chromium:chromium; do
  command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
done
[ -x /usr/lib/speech-dispatcher-modules/sd_espeak-ng ] || need+=(speech-dispatcher-espeak-ng)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> apt-get install ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" dbus-x11 >/dev/null
  else
    echo "!! Missing: ${need[*]}. Run: sudo apt-get install -y ${need[*]} dbus-x11" >&2
    exit 1
  fi
fi

if [ -e "/tmp/.X11-unix/X$DISPLAY_NUM" ] || curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then
  echo "!! Display :$DISPLAY_NUM or port $PORT is in use (another pass running?); set DISPLAY_NUM or PORT" >&2
  exit 1
fi
rm -rf "$WORK" && mkdir -p "$WORK"/{prefs,chrome/Default,config/speech-dispatcher,xdg-run,cache} "$OUT"
chmod 700 "$WORK/xdg-run"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for f in "$WORK"/xdg-run/speech-dispatcher/pid/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
  true
}
trap cleanup EXIT

echo "==> scratch database with the demo data"
export DJANGO_DEBUG=1 DATABASE_NAME="$WORK/db.sqlite3"
"$PY" manage.py migrate --noinput >"$WORK/migrate.log"
"$PY" manage.py load_bank fixtures/banks/history/ai-vendor-due-diligence-v{1,2,3}.yaml \
  fixtures/banks/ai-vendor-due-diligence.yaml >"$WORK/load_bank.log"
"$PY" manage.py seed_demo >"$WORK/seed_demo.log"
PORTAL_PATH="$(grep -o '/portal/[^ ]*/$' "$WORK/seed_demo.log" | head -1)"
[ -n "$PORTAL_PATH" ] || { echo "!! seed_demo printed no vendor link" >&2; exit 1; }
BASE="http://127.0.0.1:$PORT"
"$PY" manage.py runserver "127.0.0.1:$PORT" --noreload >"$WORK/server.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do curl -sf -o /dev/null "$BASE/accounts/login/" && break; sleep 0.2; done

echo "==> Xvfb :$DISPLAY_NUM"
Xvfb ":$DISPLAY_NUM" -screen 0 1280x800x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$DISPLAY_NUM" ] && break; sleep 0.1; done

cat >"$WORK/config/speech-dispatcher/speechd.conf" <<'EOF'
# Scratch speech-dispatcher for the Orca pass: espeak-ng synthesises, ALSA's null device swallows the sound.
Timeout 0
LogLevel 3
AudioOutputMethod "alsa"
AudioALSADevice "null"
AddModule "espeak-ng" "sd_espeak-ng" "espeak-ng.conf"
DefaultModule espeak-ng
EOF
# No save-password bubble in the way of the keyboard.
echo '{"credentials_enable_service": false, "profile": {"password_manager_enabled": false}}' \
  >"$WORK/chrome/Default/Preferences"

cat >"$WORK/session.sh" <<EOF
#!/usr/bin/env bash
# Runs inside dbus-run-session: the AT-SPI bus, Orca, Chromium, then the key presses.
set -euo pipefail
/usr/libexec/at-spi-bus-launcher --launch-immediately >"$WORK/atspi.log" 2>&1 &
ATSPI=\$!
ORCA_SPEECH_LOG="$WORK/speech.log" /usr/bin/python3 "$ROOT/scripts/orca_logged.py" -u "$WORK/prefs" \
  --debug-file="$WORK/orca-debug.out" >"$WORK/orca.log" 2>&1 &
ORCA=\$!
for _ in \$(seq 300); do grep -q "Screen reader on" "$WORK/speech.log" 2>/dev/null && break; sleep 0.1; done
chromium --no-sandbox --test-type --user-data-dir="$WORK/chrome" --no-first-run --no-default-browser-check \
  --disable-gpu --force-renderer-accessibility --window-position=0,0 --window-size=1280,800 \
  --password-store=basic --disable-features=Translate "$BASE/accounts/login/" >"$WORK/chrome.log" 2>&1 &
CHROME=\$!
rc=0
/usr/bin/python3 "$ROOT/scripts/orca_pass.py" --speech-log "$WORK/speech.log" --out "$OUT/transcript.md" \
  --base "$BASE" --portal-url "$BASE$PORTAL_PATH" $* || rc=\$?
import -window root "$OUT/last-screen.png" 2>/dev/null || true
kill \$CHROME 2>/dev/null || true
# Orca says "Screen reader off." on SIGTERM but does not always exit; give it 5 s.
kill \$ORCA 2>/dev/null || true
for _ in \$(seq 50); do kill -0 \$ORCA 2>/dev/null || break; sleep 0.1; done
kill -9 \$ORCA 2>/dev/null || true
kill \$ATSPI 2>/dev/null || true
exit \$rc
EOF
chmod +x "$WORK/session.sh"

echo "==> Orca pass (Orca $(orca --version), $(chromium --version))"
DISPLAY=":$DISPLAY_NUM" XDG_CONFIG_HOME="$WORK/config" XDG_RUNTIME_DIR="$WORK/xdg-run" XDG_CACHE_HOME="$WORK/cache" \
  NO_AT_BRIDGE=0 dbus-run-session -- "$WORK/session.sh"
cp "$WORK/speech.log" "$OUT/speech.log"
echo "==> transcript: $OUT/transcript.md (raw: $OUT/speech.log, Orca's debug log: $WORK/orca-debug.out)"
