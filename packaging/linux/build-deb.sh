#!/usr/bin/env bash
# Build the PyInstaller one-folder bundle and the .deb from it:   bash packaging/linux/build-deb.sh
# Output: dist/wabot-desktop/ (the bundle) and dist/wabot-desktop_<version>_<arch>.deb.
# Python: $PYTHON_BUILD, else python3.12 (PATH or pyenv), else python3. 3.12+ is recommended (the
# PySide6 6.12 refcount leak worked around in gui/pyside_workarounds.py is a 3.11 problem).
# The build venv is .venv-build (non-editable install: only what the wheel declares is bundled,
# and no test or dev dependency is in it).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$(pwd)"

pick_python() {
  if [ -n "${PYTHON_BUILD:-}" ]; then echo "$PYTHON_BUILD"; return; fi
  for c in python3.13 python3.12; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c "" 2>/dev/null; then command -v "$c"; return; fi
  done
  for c in "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3; do
    if [ -x "$c" ]; then echo "$c"; return; fi
  done
  echo python3
}
PY="$(pick_python)"
echo "build python: $("$PY" --version 2>&1) ($PY)"

start=$(date +%s)
if [ ! -x .venv-build/bin/python ] || ! .venv-build/bin/python -c "" 2>/dev/null; then
  rm -rf .venv-build
  "$PY" -m venv .venv-build
fi
.venv-build/bin/python -m pip install -q --disable-pip-version-check ".[build]" 2>&1 | grep -v "is ignored" || true
VERSION="$(.venv-build/bin/python -c 'from importlib.metadata import version; print(version("wabot-desktop"))')"
ARCH="$(dpkg --print-architecture)"

.venv-build/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller build.spec
bundle_done=$(date +%s)

# Stage the package tree.
stage="build/deb/wabot-desktop_${VERSION}_${ARCH}"
rm -rf "$stage"
mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications"
cp -a dist/wabot-desktop "$stage/opt/wabot-desktop"
cat > "$stage/usr/bin/wabot-desktop" <<'SH'
#!/bin/sh
exec /opt/wabot-desktop/wabot-desktop "$@"
SH
chmod 0755 "$stage/usr/bin/wabot-desktop"
install -m 0644 packaging/linux/wabot-desktop.desktop "$stage/usr/share/applications/wabot-desktop.desktop"
for size in 16 24 32 48 64 128 256 512; do
  dir="$stage/usr/share/icons/hicolor/${size}x${size}/apps"
  mkdir -p "$dir"
  install -m 0644 "resources/icons/png/wabot-${size}.png" "$dir/wabot-desktop.png"
done
mkdir -p "$stage/usr/share/icons/hicolor/scalable/apps"
install -m 0644 wabot_desktop/resources/icons/wabot.svg "$stage/usr/share/icons/hicolor/scalable/apps/wabot-desktop.svg"

installed_kb=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/${VERSION}/" -e "s/@ARCH@/${ARCH}/" -e "s/@SIZE@/${installed_kb}/" \
  packaging/linux/control.in > "$stage/DEBIAN/control"
install -m 0755 packaging/linux/postinst packaging/linux/postrm "$stage/DEBIAN/"

deb="dist/wabot-desktop_${VERSION}_${ARCH}.deb"
# -Zgzip: 3-4x faster than xz on 2 cores; the .deb is ~15% bigger.
dpkg-deb --root-owner-group -Z"${DEB_COMPRESSION:-gzip}" --build "$stage" "$deb" >/dev/null
end=$(date +%s)
echo "bundle: dist/wabot-desktop ($(du -sh dist/wabot-desktop | cut -f1)) in $((bundle_done - start)) s"
echo "deb: $deb ($(du -h "$deb" | cut -f1), installed ${installed_kb} KiB) in $((end - start)) s total"
