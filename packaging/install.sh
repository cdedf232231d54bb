#!/bin/sh
# Install GradViz for the current user, without root. Run it from the unpacked tarball:
#
#   ./install.sh
#
# Puts the app in ~/.local/opt/gradviz, a `gradviz` command in ~/.local/bin, the menu entry in
# ~/.local/share/applications and the icon in ~/.local/share/icons (XDG_DATA_HOME if set).
# Everything it creates is listed in ~/.local/opt/gradviz/.install-manifest; uninstall.sh
# removes exactly that. Running it again upgrades in place.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
: "${HOME:?HOME is not set}"
APPDIR="$HOME/.local/opt/gradviz"
BINDIR="$HOME/.local/bin"
DATA="${XDG_DATA_HOME:-$HOME/.local/share}"
LINK="$BINDIR/gradviz"
DESKTOP="$DATA/applications/gradviz.desktop"
ICON_SVG="$DATA/icons/hicolor/scalable/apps/gradviz.svg"
ICON_PNG="$DATA/icons/hicolor/256x256/apps/gradviz.png"
RES="$HERE/_internal/resources"

fail() { echo "install: $*" >&2; exit 1; }

[ -x "$HERE/gradviz" ] && [ -d "$HERE/_internal" ] \
  || fail "run this script from the unpacked GradViz folder (gradviz and _internal/ beside it)"
[ "$HERE" != "$APPDIR" ] || fail "GradViz is already installed here; to upgrade, run the install.sh of a newer tarball"
if [ -e "$LINK" ] || [ -L "$LINK" ]; then
  if [ ! -L "$LINK" ] || [ "$(readlink "$LINK")" != "$APPDIR/gradviz" ]; then
    fail "$LINK exists and is not ours (another gradviz?); remove it first"
  fi
fi

MANIFEST_NEW=$(mktemp)
trap 'rm -f "$MANIFEST_NEW"; rm -rf "$APPDIR.new.$$"' EXIT

# Directories are listed when this script creates them, so uninstall can remove them if empty.
make_dir() {
  missing=""
  d="$1"
  while [ ! -d "$d" ]; do
    missing="$d
$missing"
    d=$(dirname "$d")
  done
  mkdir -p "$1"
  printf '%s' "$missing" | while IFS= read -r m; do
    [ -n "$m" ] && printf 'dir %s\n' "$m" >> "$MANIFEST_NEW"
  done
  return 0
}

# Keep the directories an earlier install created on the list.
if [ -f "$APPDIR/.install-manifest" ]; then
  grep '^dir ' "$APPDIR/.install-manifest" >> "$MANIFEST_NEW" || true
fi

# 1. The app: copy next to the old one, then swap, so a failed copy leaves the old one working.
make_dir "$(dirname "$APPDIR")"
rm -rf "$APPDIR.new.$$"
cp -R "$HERE" "$APPDIR.new.$$"
rm -rf "$APPDIR"
mv "$APPDIR.new.$$" "$APPDIR"

# 2. The command.
make_dir "$BINDIR"
ln -sfn "$APPDIR/gradviz" "$LINK"
printf 'link %s\n' "$LINK" >> "$MANIFEST_NEW"

# 3. The menu entry, pointing at the installed binary (desktop files do not expand ~).
make_dir "$(dirname "$DESKTOP")"
sed -e "s|^Exec=.*|Exec=\"$APPDIR/gradviz\"|" -e "s|^TryExec=.*|TryExec=$APPDIR/gradviz|" \
  "$RES/gradviz.desktop" > "$DESKTOP"
chmod 644 "$DESKTOP"
printf 'file %s\n' "$DESKTOP" >> "$MANIFEST_NEW"

# 4. The icon, as SVG (scalable) and PNG (for menus that do not draw SVG).
make_dir "$(dirname "$ICON_SVG")"
cp "$RES/icons/gradviz.svg" "$ICON_SVG"
printf 'file %s\n' "$ICON_SVG" >> "$MANIFEST_NEW"
make_dir "$(dirname "$ICON_PNG")"
cp "$RES/icons/gradviz-256.png" "$ICON_PNG"
printf 'file %s\n' "$ICON_PNG" >> "$MANIFEST_NEW"

sort -u "$MANIFEST_NEW" > "$APPDIR/.install-manifest"

echo "GradViz installed in $APPDIR"
echo "  command:   $LINK"
echo "  menu:      $DESKTOP"
echo "  uninstall: $APPDIR/uninstall.sh"
case ":${PATH:-}:" in
  *":$BINDIR:"*) ;;
  *) echo "note: $BINDIR is not on your PATH; start the app as $LINK, or add it to PATH" ;;
esac

# What a bare system lacks most often (the app itself brings everything else).
hint=""
command -v ldconfig >/dev/null 2>&1 && ! ldconfig -p 2>/dev/null | grep -q 'libEGL\.so\.1' \
  && hint="$hint libegl1"
[ -f /etc/fonts/fonts.conf ] || hint="$hint fontconfig"
font=""
for d in /usr/share/fonts /usr/local/share/fonts "$DATA/fonts" "$HOME/.fonts"; do
  [ -d "$d" ] && font=$(find "$d" \( -name '*.ttf' -o -name '*.otf' -o -name '*.pfb' \) -print 2>/dev/null | head -n 1)
  [ -n "$font" ] && break
done
[ -n "$font" ] || hint="$hint fonts-dejavu-core"
if [ -n "$hint" ]; then
  echo "note: this system seems to lack:$hint"
  echo "      (without fonts every label shows as empty boxes) - e.g. sudo apt-get install$hint"
fi
