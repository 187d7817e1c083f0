#!/usr/bin/env bash
# Build "WaBot Desktop.app" and a .dmg on macOS:   bash packaging/macos/build.sh
# Needs: Python 3.12+ (python.org installer or Homebrew) and the Xcode command line tools.
# The .app comes from build.spec's BUNDLE block (icon, bundle id, version, Info.plist).
# Output: dist/WaBot Desktop.app and dist/WaBot-Desktop-<version>.dmg. Signing/notarisation:
# set CODESIGN_IDENTITY to sign (e.g. "Developer ID Application: ..."); unsigned otherwise.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY="${PYTHON_BUILD:-python3.12}"
[ -x .venv-build/bin/python ] || "$PY" -m venv .venv-build
.venv-build/bin/python -m pip install -q --disable-pip-version-check ".[build]"
VERSION="$(.venv-build/bin/python -c 'from importlib.metadata import version; print(version("wabot-desktop"))')"
.venv-build/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller build.spec
APP="dist/WaBot Desktop.app"
QT_QPA_PLATFORM=offscreen "$APP/Contents/MacOS/wabot-desktop" --self-test
if [ -n "${CODESIGN_IDENTITY:-}" ]; then
  codesign --deep --force --options runtime --sign "$CODESIGN_IDENTITY" "$APP"
fi
stage="build/dmg"
rm -rf "$stage" && mkdir -p "$stage"
cp -R "$APP" "$stage/"
ln -s /Applications "$stage/Applications"   # drag-to-install
DMG="dist/WaBot-Desktop-${VERSION}.dmg"
rm -f "$DMG"
hdiutil create -volname "WaBot Desktop" -srcfolder "$stage" -ov -format UDZO "$DMG"
echo "dmg: $DMG"
