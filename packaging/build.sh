#!/bin/sh
# `make dist`: build the frozen GradViz (PyInstaller onedir, Linux x86-64) and pack it as
# dist/gradviz-VERSION-linux-x86_64.tar.gz. Sets up its own build venv (build/venv) from a
# fresh clone: the known-good CPU torch first, then the project, then PyInstaller, all pinned by
# packaging/build-constraints.txt so two builds of one commit freeze the same libraries.
#
# Prints the budgets: unpacked size (goal <= 650 MB), tarball size (goal <= 240 MB), build time;
# and writes them to dist/build-info.json (benchmarks/bench_frozen.py reads it).
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PYTHON=${PYTHON:-python3}
VENV=build/venv
STAMP=$VENV/.installed
VERSION=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' gradviz/_version.py)
NAME=gradviz-$VERSION-linux-x86_64
TARBALL=dist/$NAME.tar.gz
T_START=$(date +%s)

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "build: this build is for Linux x86-64; see README, 'Install the app', for other systems" >&2
     exit 1 ;;
esac

say() { printf '\n== %s\n' "$*"; }

# Qt's X11 plugin libraries are bundled from the build machine, so they must be installed here;
# binutils brings strip and readelf for packaging/slim.py.
say "system packages"
sh packaging/system-deps.sh --build

say "build venv ($VENV)"
WANT=$(cat pyproject.toml packaging/build-constraints.txt | sha256sum | cut -c1-16)
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  test -x $VENV/bin/python || "$PYTHON" -m venv $VENV
  $VENV/bin/python -m pip install -q --upgrade pip
  # The CPU build first: a bare `torch` requirement would pull a multi-GB CUDA build on Linux.
  $VENV/bin/python -m pip install -q -c packaging/build-constraints.txt torch
  # Editable: PyInstaller freezes the source tree itself (pathex in the spec), never a stale copy.
  $VENV/bin/python -m pip install -q -c packaging/build-constraints.txt -e . pyinstaller
  echo "$WANT" > "$STAMP"
else
  echo "up to date"
fi
T_VENV=$(date +%s)

say "PyInstaller (packaging/gradviz.spec)"
rm -rf build/frozen
$VENV/bin/pyinstaller --noconfirm --log-level WARN --distpath build/frozen \
  --workpath build/pyinstaller packaging/gradviz.spec
T_FREEZE=$(date +%s)

say "slimming (packaging/slim.py)"
$VENV/bin/python packaging/slim.py build/frozen/gradviz
T_SLIM=$(date +%s)

say "packing $TARBALL"
mkdir -p dist
rm -rf "dist/$NAME" "$TARBALL"
mv build/frozen/gradviz "dist/$NAME"
cp packaging/install.sh packaging/uninstall.sh packaging/INSTALL.txt LICENSE "dist/$NAME/"
chmod 755 "dist/$NAME/install.sh" "dist/$NAME/uninstall.sh"
# Reproducible member order and owners; gzip -6 is the usual speed/size balance.
tar --sort=name --owner=0 --group=0 --numeric-owner -C dist -cf - "$NAME" | gzip -6 > "$TARBALL"
T_END=$(date +%s)

UNPACKED=$(du -sb --apparent-size "dist/$NAME" | cut -f1)
PACKED=$(stat -c %s "$TARBALL")
"$VENV/bin/python" - "$UNPACKED" "$PACKED" "$((T_END - T_START))" "$((T_VENV - T_START))" \
  "$((T_FREEZE - T_VENV))" "$((T_SLIM - T_FREEZE))" "$((T_END - T_SLIM))" "$NAME" "$VERSION" <<'EOF'
import json, sys
unpacked, packed, total, venv, freeze, slim, pack = map(int, sys.argv[1:8])
name, version = sys.argv[8:10]
ok = lambda v, goal: "ok" if v <= goal else "OVER BUDGET"
print(f"""
== budgets
unpacked size  {unpacked / 1e6:6.0f} MB ({unpacked / 2**20:.0f} MiB)   goal <= 650 MB   {ok(unpacked / 1e6, 650)}
tarball size   {packed / 1e6:6.0f} MB ({packed / 2**20:.0f} MiB)   goal <= 240 MB   {ok(packed / 1e6, 240)}
build time     {total:6d} s  (venv {venv} s, PyInstaller {freeze} s, slimming {slim} s, packing {pack} s)
""")
info = {"name": name, "version": version, "unpacked_bytes": unpacked, "tarball_bytes": packed,
        "build_seconds": total, "phases": {"venv": venv, "pyinstaller": freeze, "slim": slim,
                                           "pack": pack}}
with open("dist/build-info.json", "w", encoding="utf-8") as fh:
    json.dump(info, fh, indent=2)
EOF
echo "built $TARBALL  (unpacked: dist/$NAME/gradviz)"
