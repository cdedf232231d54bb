#!/bin/sh
# Install the Debian/Ubuntu packages GradViz needs, if any are missing.
#   packaging/system-deps.sh          what the app needs (Qt's X11 plugin, Mesa OpenGL, a font)
#   packaging/system-deps.sh --test   plus a virtual X server (xvfb) for the OpenGL tests and a
#                                     window manager (openbox) for the layout-fit test
#   packaging/system-deps.sh --build  plus binutils (strip, readelf) to build the frozen app
set -eu
PKGS="libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libglib2.0-0 libdbus-1-3
libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 fonts-dejavu-core"
case "${1:-}" in
  --test) PKGS="$PKGS xvfb xauth openbox" ;;
  --build) PKGS="$PKGS binutils" ;;
esac
if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system-deps: not a Debian-like system; install the equivalents of: $PKGS" >&2
  exit 0
fi
MISSING=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    MISSING="$MISSING $p"
  fi
done
[ -z "$MISSING" ] && exit 0
echo "system-deps: installing$MISSING"
if [ "$(id -u)" = "0" ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "system-deps: please install (as root): apt-get install$MISSING" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $MISSING
