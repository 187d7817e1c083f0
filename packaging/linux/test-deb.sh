#!/usr/bin/env bash
# Packaging test (CI): build the bundle and the .deb, install it with dpkg, run the installed
# launcher (--version, --self-test, the window offscreen), remove the package and check that
# the user's data is still there. Needs root (or passwordless sudo) for dpkg.
#   bash packaging/linux/test-deb.sh        (prints the measured figures at the end)
set -euo pipefail
cd "$(dirname "$0")/../.."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo -n"; fi

t0=$(date +%s.%N)
bash packaging/linux/build-deb.sh
t1=$(date +%s.%N)
VERSION="$(.venv-build/bin/python -c 'from importlib.metadata import version; print(version("wabot-desktop"))')"
deb="dist/wabot-desktop_${VERSION}_$(dpkg --print-architecture).deb"

$SUDO dpkg -i "$deb" >/dev/null
cleanup() { $SUDO dpkg -r wabot-desktop >/dev/null 2>&1 || true; rm -rf "$home"; }
home="$(mktemp -d)"
trap cleanup EXIT
test -x /usr/bin/wabot-desktop
test -f /usr/share/applications/wabot-desktop.desktop
test -f /usr/share/icons/hicolor/256x256/apps/wabot-desktop.png
test -x /opt/wabot-desktop/wabot-desktop

# The installed app in a clean environment. Started in the background, call "${clean[@]}"
# directly, not through run(): `run ... &` forks a shell whose pid is not the app's, so a kill
# of that pid left the app running after the test (and after dpkg -r).
clean=(env -i HOME="$home" PATH=/usr/bin:/bin QT_QPA_PLATFORM=offscreen
  PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring LANG=C.UTF-8)
run() { "${clean[@]}" "$@"; }
got="$(run wabot-desktop --version)"
[ "$got" = "wabot-desktop $VERSION" ] || { echo "--version printed: $got" >&2; exit 1; }
s0=$(date +%s.%N)
run wabot-desktop --self-test
s1=$(date +%s.%N)

# First launch of the installed app under Xvfb: time until the main window is mapped (cold
# start); the data dir is created on the way.
Xvfb :93 -screen 0 1366x768x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
for _ in $(seq 1 50); do xdpyinfo -display :93 >/dev/null 2>&1 && break; sleep 0.1; done
w0=$(date +%s.%N)
env -i HOME="$home" PATH=/usr/bin:/bin DISPLAY=:93 LANG=C.UTF-8 \
  PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring \
  wabot-desktop --no-tunnel --port 0 > "$home/window.log" 2>&1 &
app_pid=$!
shown=""
for _ in $(seq 1 300); do
  if DISPLAY=:93 xdotool search --onlyvisible --name "WaBot Desktop" >/dev/null 2>&1; then
    shown=yes; break
  fi
  sleep 0.02
done
w1=$(date +%s.%N)
kill -TERM "$app_pid" 2>/dev/null || true
wait "$app_pid" 2>/dev/null || true
kill "$xvfb_pid" 2>/dev/null || true
[ -n "$shown" ] || { echo "the window never showed:" >&2; cat "$home/window.log" >&2; exit 1; }
test -d "$home/.local/share/wabot-desktop"

# A shop with data: back it up with the installed app, remove the package, data stays.
mkdir -p "$home/shop"
"${clean[@]}" wabot-desktop serve --simulator --no-tunnel --port 0 --data-dir "$home/shop" \
  > "$home/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 100); do grep -q "listening on" "$home/serve.log" && break; sleep 0.1; done
kill -TERM "$serve_pid"; wait "$serve_pid" || true
if pgrep -f -- "--data-dir $home/shop" >/dev/null; then
  echo "serve is still running after SIGTERM" >&2; exit 1
fi
test -s "$home/shop/simulator/wabot.db" || test -s "$home/shop/wabot.db"
run wabot-desktop backup "$home/shop-backup.zip" --data-dir "$home/shop/simulator" >/dev/null
before="$(find "$home/shop" -type f | sort | xargs sha256sum)"

installed_kb=$(dpkg-query -W -f='${Installed-Size}' wabot-desktop)
$SUDO dpkg -r wabot-desktop >/dev/null
test ! -e /usr/bin/wabot-desktop && test ! -e /opt/wabot-desktop
after="$(find "$home/shop" -type f | sort | xargs sha256sum)"
[ "$before" = "$after" ] || { echo "user data changed on removal" >&2; exit 1; }
test -s "$home/shop-backup.zip"

printf 'packaging: build %.0f s, bundle %s, deb %s, installed %s KiB, --self-test %.2f s, first window %.2f s\n' \
  "$(echo "$t1 - $t0" | bc)" "$(du -sh dist/wabot-desktop | cut -f1)" "$(du -h "$deb" | cut -f1)" \
  "$installed_kb" "$(echo "$s1 - $s0" | bc)" "$(echo "$w1 - $w0" | bc)"
