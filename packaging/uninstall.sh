#!/bin/sh
# Remove what install.sh put under the user's home, and nothing else:
#
#   ~/.local/opt/gradviz/uninstall.sh      (or ./uninstall.sh from the unpacked tarball)
#
# It follows ~/.local/opt/gradviz/.install-manifest: the `gradviz` link in ~/.local/bin (only
# while it still points at this install), the menu entry, the icons, then the app folder, then
# the directories install.sh created if they are empty now. Settings the app saved
# (~/.config/GradViz) are kept; the last line says where they are.
set -eu

: "${HOME:?HOME is not set}"
APPDIR="$HOME/.local/opt/gradviz"
DATA="${XDG_DATA_HOME:-$HOME/.local/share}"
MANIFEST="$APPDIR/.install-manifest"

if [ ! -e "$APPDIR" ] && [ ! -L "$HOME/.local/bin/gradviz" ]; then
  echo "uninstall: GradViz is not installed in $APPDIR; nothing to do"
  exit 0
fi

LIST=$(mktemp)
trap 'rm -f "$LIST"' EXIT
if [ -f "$MANIFEST" ]; then
  cat "$MANIFEST" > "$LIST"
else
  # An install that was interrupted before writing its manifest: the fixed places.
  cat > "$LIST" <<EOF
link $HOME/.local/bin/gradviz
file $DATA/applications/gradviz.desktop
file $DATA/icons/hicolor/scalable/apps/gradviz.svg
file $DATA/icons/hicolor/256x256/apps/gradviz.png
EOF
fi

case "$APPDIR" in
  */.local/opt/gradviz) ;;
  *) echo "uninstall: refusing to remove unexpected path $APPDIR" >&2; exit 1 ;;
esac

while IFS= read -r line; do
  kind=${line%% *}
  path=${line#* }
  case "$kind" in
    link)
      if [ -L "$path" ] && [ "$(readlink "$path")" = "$APPDIR/gradviz" ]; then
        rm -f "$path" && echo "removed $path"
      fi ;;
    file)
      if [ -f "$path" ]; then rm -f "$path" && echo "removed $path"; fi ;;
  esac
done < "$LIST"

rm -rf "$APPDIR" && echo "removed $APPDIR"

# Directories install.sh created, deepest first, only if nothing else lives in them now.
grep '^dir ' "$LIST" | cut -c5- | awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2- |
  while IFS= read -r dir; do
    rmdir "$dir" 2>/dev/null && echo "removed empty $dir" || true
  done
echo "GradViz uninstalled. Your settings, if any, are kept in ${XDG_CONFIG_HOME:-$HOME/.config}/GradViz"
