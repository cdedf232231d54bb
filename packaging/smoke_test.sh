#!/bin/sh
# `make dist-test`: the frozen app, as a student gets it, on a clean environment.
#
#   sh packaging/smoke_test.sh [TARBALL]     (default: dist/gradviz-VERSION-linux-x86_64.tar.gz)
#
# Unpacks the tarball into a temporary folder and runs the binary under its own Xvfb with
# `env -i` keeping only DISPLAY, XAUTHORITY and HOME (no virtualenv, no PYTHONPATH, no PATH):
#   --version, --selftest (every panel opens, OpenGL draws, a backward pass runs), --list-panels,
#   --screenshot of the window and of every panel (non-blank, checked by packaging/check_png.py
#   with the build venv's python, not by the app under test), and install.sh/uninstall.sh
#   round-trip in a throw-away HOME; packaging/check_bundle.py compares the module archive with
#   the source tree. Screenshots are kept in dist/smoke/ to look at.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VERSION=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' gradviz/_version.py)
NAME=gradviz-$VERSION-linux-x86_64

if [ "${1:-}" != "--inner" ]; then
  TARBALL=${1:-dist/$NAME.tar.gz}
  [ -f "$TARBALL" ] || { echo "dist-test: $TARBALL not found; run 'make dist' first" >&2; exit 1; }
  sh packaging/system-deps.sh --test
  # A fresh virtual X server of our own (24-bit: 16-bit colour would band the surface plot).
  exec xvfb-run -a -s "-screen 0 1920x1080x24" sh "$0" --inner "$TARBALL"
fi

TARBALL=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
# The build venv has PySide6 (to read PNGs) and PyInstaller (to read the archive).
CHECK_PY=$ROOT/build/venv/bin/python
[ -x "$CHECK_PY" ] || { echo "dist-test: $CHECK_PY missing; run 'make dist' first" >&2; exit 1; }
OUT=$ROOT/dist/smoke
TMP=$(mktemp -d /tmp/gradviz-smoke.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "ok    $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL  $*"; }

# The app as a student runs it: nothing from this shell but the display and HOME.
frozen() { (cd "$TMP" && env -i DISPLAY="$DISPLAY" XAUTHORITY="${XAUTHORITY:-}" HOME="$HOME" "$@"); }

echo "== unpacking $(basename "$TARBALL") into $TMP"
tar -xzf "$TARBALL" -C "$TMP"
BUNDLE=$TMP/$NAME
APP=$BUNDLE/gradviz
[ -x "$APP" ] || { echo "dist-test: no executable $NAME/gradviz in the tarball" >&2; exit 1; }
echo "unpacked: $(du -sh "$BUNDLE" | cut -f1)"

echo "== bundle contents"
for f in _internal/resources/RESOURCES _internal/resources/gradviz.desktop \
         _internal/resources/icons/gradviz.svg _internal/torch/bin/torch_shm_manager \
         install.sh uninstall.sh LICENSE; do
  if [ -e "$BUNDLE/$f" ]; then pass "has $f"; else fail "missing $f"; fi
done
[ ! -e "$BUNDLE/_internal/torch/test" ] && pass "torch/test left out" || fail "torch/test is bundled"
if "$CHECK_PY" packaging/check_bundle.py "$BUNDLE" > "$TMP/bundle.log" 2>&1; then
  pass "every gradviz module and the GIF export's modules are in the archive"
else
  fail "module archive incomplete"
fi
sed 's/^/      /' "$TMP/bundle.log"

echo "== --version"
got=$(frozen "$APP" --version 2>&1) || true
[ "$got" = "gradviz $VERSION" ] && pass "--version: $got" || fail "--version said: $got"

echo "== --selftest"
if frozen "$APP" --selftest > "$TMP/selftest.log" 2>&1; then
  pass "--selftest exited 0"
else
  fail "--selftest exited non-zero"
fi
grep -v -e '^$' "$TMP/selftest.log" | sed 's/^/      /'

echo "== --screenshot of the window and of every panel"
rm -rf "$OUT"
mkdir -p "$OUT"
frozen "$APP" --list-panels > "$TMP/panels.txt" 2>"$TMP/panels.err" || fail "--list-panels failed"
PANELS=$(cut -d' ' -f1 "$TMP/panels.txt")
[ -n "$PANELS" ] && pass "--list-panels: $(echo $PANELS)" || fail "--list-panels listed nothing"
SHOTS=""
if frozen "$APP" --screenshot "$OUT/window.png" > "$TMP/shot.log" 2>&1; then
  SHOTS="$OUT/window.png"
else
  fail "--screenshot window.png: $(tail -n 3 "$TMP/shot.log")"
fi
for p in $PANELS; do
  if frozen "$APP" --screenshot "$OUT/$p.png" --panel "$p" > "$TMP/shot.log" 2>&1; then
    SHOTS="$SHOTS $OUT/$p.png"
  else
    fail "--screenshot --panel $p: $(tail -n 3 "$TMP/shot.log")"
  fi
done
echo "$PANELS" | grep -qx surface || echo "note: no 'surface' panel in this build"
# shellcheck disable=SC2086
if [ -n "$SHOTS" ] && "$CHECK_PY" packaging/check_png.py $SHOTS > "$TMP/png.log" 2>&1; then
  pass "every picture is non-blank (dist/smoke/)"
else
  fail "blank or unreadable pictures"
fi
sed 's/^/      /' "$TMP/png.log" 2>/dev/null || true

echo "== a handout: one scene of the bundled tour as PNG and PDF"
TOUR="$BUNDLE/_internal/resources/lessons/why-derivatives.gradviz"
if frozen "$APP" "$TOUR" --scene 2 --export-scenes "$OUT/handout" --size 1280x720 \
    --pdf "$OUT/handout/handout.pdf" > "$TMP/handout.log" 2>&1 \
    && [ -s "$OUT/handout/scene-02.png" ] && head -c 4 "$OUT/handout/handout.pdf" | grep -q '%PDF'; then
  pass "--export-scenes wrote scene-02.png and handout.pdf"
else
  fail "--export-scenes: $(tail -n 3 "$TMP/handout.log")"
fi

echo "== install.sh / uninstall.sh in a throw-away HOME"
H=$TMP/home
mkdir -p "$H"
user() { env -i HOME="$H" PATH=/usr/bin:/bin "$@"; }
if user sh "$BUNDLE/install.sh" > "$TMP/install.log" 2>&1; then
  pass "install.sh"
else
  fail "install.sh: $(tail -n 3 "$TMP/install.log")"
fi
got=$(env -i DISPLAY="$DISPLAY" XAUTHORITY="${XAUTHORITY:-}" HOME="$H" "$H/.local/bin/gradviz" --version 2>&1) || true
[ "$got" = "gradviz $VERSION" ] && pass "~/.local/bin/gradviz runs the installed app" \
  || fail "~/.local/bin/gradviz: $got"
DESKTOP=$H/.local/share/applications/gradviz.desktop
if grep -qx "Exec=\"$H/.local/opt/gradviz/gradviz\"" "$DESKTOP" 2>/dev/null; then
  pass "menu entry starts the installed binary"
else
  fail "menu entry missing or Exec wrong"
fi
if command -v desktop-file-validate >/dev/null 2>&1; then
  desktop-file-validate "$DESKTOP" && pass "desktop-file-validate" || fail "desktop-file-validate"
fi
for f in .local/share/icons/hicolor/scalable/apps/gradviz.svg \
         .local/share/icons/hicolor/256x256/apps/gradviz.png; do
  [ -f "$H/$f" ] && pass "icon ~/$f" || fail "icon ~/$f missing"
done
if user sh "$H/.local/opt/gradviz/uninstall.sh" > "$TMP/uninstall.log" 2>&1; then
  pass "uninstall.sh"
else
  fail "uninstall.sh: $(tail -n 3 "$TMP/uninstall.log")"
fi
LEFT=$(cd "$H" && find . -mindepth 1 | head -n 5)
[ -z "$LEFT" ] && pass "uninstall left the home folder as it was (empty)" \
  || fail "uninstall left: $LEFT"

echo
if [ "$FAILED" -eq 0 ]; then
  echo "dist-test: all $PASSED checks passed; screenshots in dist/smoke/"
  exit 0
fi
echo "dist-test: $FAILED of $((PASSED + FAILED)) checks FAILED"
exit 1
