"""What the frozen GradViz leaves out, and the post-build pass that slims the bundle.

Two halves, one list of decisions:

* ``gradviz.spec`` imports this module and filters PyInstaller's tables of contents with
  :func:`keep_entry` before anything is copied (``EXCLUDED_MODULES`` goes to ``Analysis``).
* After the build, ``python packaging/slim.py dist/gradviz`` removes Qt libraries that only the
  dropped plugins needed, strips the torch and Qt shared libraries, proves every stripped
  library still loads, and prints the sizes.

The choices follow measurements (../shared/STACK-NOTES.md): a plain build is ~906 MB; these
excludes bring it to ~726 MB and stripping to ~606 MB. Two things must never happen:
stripping ``numpy.libs`` (patchelf-relocated OpenBLAS then fails to load with "ELF load command
address/offset not page-aligned") and dropping ``torch/bin/torch_shm_manager`` (``import torch``
fails without it). ``torch.testing._internal`` stays too: ``import torch`` needs it.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

#: Python packages the app never imports (PyInstaller's hooks would otherwise drag them in).
EXCLUDED_MODULES = [
    "tkinter", "_tkinter", "turtle", "idlelib",
    "tensorboard", "torch.utils.tensorboard",
    "PySide6.QtNetwork", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuickWidgets",
    "PySide6.QtQuickControls2", "PySide6.QtPdf", "PySide6.QtPdfWidgets", "PySide6.QtDesigner",
    "PySide6.QtUiTools", "PySide6.QtHelp", "PySide6.QtSql", "PySide6.QtConcurrent",
    "PySide6.QtXml", "PySide6.QtDBus",
    "PyQt5", "PyQt6", "PySide2",
    # Pillow (through imageio, for GIF export) writes GIFs with its core; its AVIF and WebP
    # codecs (~6 MB of libraries) and Tk bridge are optional plugins Pillow skips when absent.
    "PIL._avif", "PIL._webp", "PIL._imagingtk", "PIL.ImageTk",
    "matplotlib", "IPython", "jupyter_client", "notebook", "pytest", "hypothesis",
    "pyinstaller", "PyInstaller",
]

#: Bundle paths (relative to ``_internal``, forward slashes) that are not copied at all.
DROP_PATTERNS = [
    # torch: tests, C++ headers, CMake files, command-line tools (all but one, see KEEP_PATTERNS)
    "torch/test/*", "torch/include/*", "torch/share/*", "torch/bin/*",
    # torch's own test libraries
    "torch/lib/libjitbackend_test.so", "torch/lib/libbackend_with_compiler.so",
    "torch/lib/libtorchbind_test.so", "torch/lib/libaoti_custom_ops.so",
    # Qt: translations (the UI is English), and platform/feature plugins a desktop X11 app
    # never loads: Wayland, EGLFS/KMS, VNC, framebuffer, GTK3 theme, virtual keyboard,
    # PDF images, TLS/network, QML tooling, SQL, designer.
    "PySide6/Qt/translations/*",
    "PySide6/Qt/plugins/wayland-*", "PySide6/Qt/plugins/egldeviceintegrations/*",
    "PySide6/Qt/plugins/platforms/libqwayland*", "PySide6/Qt/plugins/platforms/libqeglfs*",
    "PySide6/Qt/plugins/platforms/libqvnc*", "PySide6/Qt/plugins/platforms/libqlinuxfb*",
    "PySide6/Qt/plugins/platforms/libqminimalegl*", "PySide6/Qt/plugins/platforms/libqvkkhrdisplay*",
    "PySide6/Qt/plugins/platformthemes/libqgtk3*", "PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal*",
    "PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboard*",
    "PySide6/Qt/plugins/imageformats/libqpdf*",
    "PySide6/Qt/plugins/tls/*", "PySide6/Qt/plugins/networkinformation/*",
    "PySide6/Qt/plugins/qmltooling/*", "PySide6/Qt/plugins/qmllint/*",
    "PySide6/Qt/plugins/sqldrivers/*", "PySide6/Qt/plugins/designer/*",
    # evdev input (for EGLFS/framebuffer, X11 has its own) and TUIO touch over the network
    "PySide6/Qt/plugins/generic/*",
    "PySide6/Qt/qml/*",
]

#: Python SOURCE copies that may be left out. PyInstaller's torch hook bundles every torch
#: module twice, compiled in the archive and as a .py file, because some torch code reads its
#: own source (TorchScript, config modules). These subpackages' sources are not needed by the
#: app: the compiler back end (torch.compile needs a C++ compiler a student's machine lacks
#: anyway), distributed training, ONNX export, quantization, export and torch's test helpers.
#: ~20 MB. A file whose text shows it reads source (NEEDS_SOURCE) keeps its .py: e.g.
#: torch/distributed/config.py is read with inspect.getsource when torch.utils.data is imported.
SOURCE_DROP_PATTERNS = [
    "torch/_inductor/*.py", "torch/distributed/*.py", "torch/testing/*.py", "torch/onnx/*.py",
    "torch/ao/*.py", "torch/_export/*.py", "torch/export/*.py",
]
NEEDS_SOURCE = re.compile(
    r"install_config_module|jit\.script|getsource|getsourcelines|jit\._overload|_overload_method"
    r"|inspect\.get|jit\.interface|jit\.ignore|jit\.unused|torch\.jit\.")

#: Exceptions to DROP_PATTERNS.
KEEP_PATTERNS = [
    "torch/bin/torch_shm_manager",  # `import torch` fails without it
]

#: Libraries removed after the build when nothing left in the bundle links to them: the Qt
#: modules and toolkits that only the dropped plugins needed. Never torch or numpy libraries.
ORPHAN_CANDIDATES = [
    "libQt6*", "libwayland-*", "libgtk-3*", "libgdk-3*", "libgdk_pixbuf*", "libatk*",
    "libatspi*", "libpango*", "libcairo*", "libepoxy*", "libthai*", "libdatrie*", "libfribidi*",
    "libpixman*", "libgraphite2*", "libharfbuzz*", "libgio-2.0*", "libgmodule-2.0*",
    "libmount*", "libblkid*", "libselinux*", "libpcre2*", "libgssapi*", "libkrb5*",
    "libk5crypto*", "libcom_err*", "libkeyutils*", "libdrm*", "libgbm*",
    "libxkbcommon*", "libicu*", "libavif*", "libwebp*", "libsharpyuv*",
]

#: Shared libraries that are stripped of symbols and debug information after the build.
STRIP_PATTERNS = [
    "torch/lib/*.so*",
    "PySide6/Qt/lib/*.so*",
    "PySide6/Qt/plugins/*/*.so",
    # The build machine's Python (pyenv builds keep debug info: 23 MB -> ~4 MB) and its
    # standard-library extension modules.
    "libpython3*.so*",
    "python3.*/lib-dynload/*.so",
]

#: Never stripped, whatever STRIP_PATTERNS says.
NEVER_STRIP = [
    "numpy.libs/*", "numpy/*", "*/numpy.libs/*", "*.libs/*",  # auditwheel-relocated libraries
]


def _posix(dest: str) -> str:
    return dest.replace(os.sep, "/")


def _matches(path: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(path, p) for p in patterns)


def _reads_own_source(src: str | None) -> bool:
    if not src:
        return False
    try:
        return NEEDS_SOURCE.search(Path(src).read_text(encoding="utf-8", errors="replace")) is not None
    except OSError:
        return False


def keep_entry(dest: str, src: str | None = None) -> bool:
    """Whether a bundle path (relative to ``_internal``) is copied into the bundle.

    ``src`` is the file it is copied from; a droppable source file is kept when its text
    shows it needs its own source at run time.
    """
    path = _posix(dest)
    if _matches(path, KEEP_PATTERNS):
        return True
    if _matches(path, DROP_PATTERNS):
        return False
    if _matches(path, SOURCE_DROP_PATTERNS):
        return _reads_own_source(src)
    return True


def filter_toc(toc, label: str = "entries"):
    """PyInstaller TOC entries ``(dest, src, typecode)`` that :func:`keep_entry` keeps."""
    kept = [entry for entry in toc if keep_entry(entry[0], entry[1])]
    dropped = len(toc) - len(kept)
    print(f"slim: dropped {dropped} of {len(toc)} {label}", file=sys.stderr)
    return kept


# --- after the build -----------------------------------------------------------------------


def _is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(4) == b"\x7fELF"
    except OSError:
        return False


def _needed(path: Path) -> list[str]:
    """DT_NEEDED entries of an ELF file (``readelf -d``)."""
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True,
                         check=False).stdout
    names = []
    for line in out.splitlines():
        if "(NEEDED)" in line and "[" in line:
            names.append(line[line.index("[") + 1: line.rindex("]")])
    return names


def prune_orphans(internal: Path) -> list[Path]:
    """Remove ORPHAN_CANDIDATES that no remaining ELF file in the bundle links to."""
    removed: list[Path] = []
    while True:
        elves = [p for p in internal.rglob("*") if p.is_file() and not p.is_symlink()
                 and _is_elf(p)]
        needed: set[str] = set()
        for elf in elves:
            needed.update(_needed(elf))
        orphans = [p for p in internal.rglob("*")
                   if (p.is_file() or p.is_symlink()) and _matches(p.name, ORPHAN_CANDIDATES)
                   and p.name not in needed and p.resolve().name not in needed
                   and not p.name.endswith((".abi3.so",)) and ".cpython-" not in p.name]
        # A library reached through a symlink under another name counts as needed.
        linked_targets = {q.resolve() for q in internal.rglob("*")
                          if q.is_symlink() and q.name in needed}
        orphans = [p for p in orphans if p.resolve() not in linked_targets]
        if not orphans:
            return removed
        for p in orphans:
            p.unlink()
            removed.append(p)


def _strip_targets(internal: Path) -> list[Path]:
    targets = []
    for p in sorted(internal.rglob("*")):
        if p.is_symlink() or not p.is_file():
            continue
        rel = p.relative_to(internal).as_posix()
        if _matches(rel, STRIP_PATTERNS) and not _matches(rel, NEVER_STRIP) and _is_elf(p):
            targets.append(p)
    return targets


_LOAD_CHECK = r"""
import ctypes, sys
bad = []
for path in sys.argv[1:]:
    try:
        ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
    except OSError as exc:
        bad.append(path)
        print("cannot load", path, exc, file=sys.stderr)
sys.stdout.write("\n".join(bad))
"""


def _unloadable(paths: list[Path], internal: Path) -> set[Path]:
    """Libraries among ``paths`` that ``dlopen`` refuses (bundle libraries on the search path)."""
    if not paths:
        return set()
    lib_dirs = {str(internal), str(internal / "torch" / "lib"), str(internal / "PySide6" / "Qt" / "lib")}
    env = dict(os.environ, LD_LIBRARY_PATH=os.pathsep.join(sorted(lib_dirs)))
    # Qt plugins need Qt loaded first; libraries first, plugins last.
    ordered = sorted(paths, key=lambda p: ("plugins" in p.parts, str(p)))
    out = subprocess.run([sys.executable, "-c", _LOAD_CHECK, *map(str, ordered)],
                         capture_output=True, text=True, env=env, check=False).stdout
    return {Path(line) for line in out.splitlines() if line.strip()}


def strip_libraries(internal: Path) -> tuple[int, list[Path]]:
    """Strip the torch and Qt libraries; keep the original of any that would no longer load.

    Returns the bytes saved and the libraries left unstripped.
    """
    targets = _strip_targets(internal)
    loaded_before = set(targets) - _unloadable(targets, internal)
    before = sum(p.stat().st_size for p in targets)
    with tempfile.TemporaryDirectory(prefix="gradviz-strip-") as tmp:
        backups = {}
        for i, p in enumerate(targets):
            backup = Path(tmp) / f"{i}-{p.name}"
            shutil.copy2(p, backup)
            backups[p] = backup
            subprocess.run(["strip", "--strip-unneeded", str(p)], check=True)
        broken = _unloadable(sorted(loaded_before), internal)
        for p in broken:
            shutil.copy2(backups[p], p)
    after = sum(p.stat().st_size for p in targets)
    return before - after, sorted(broken)


def tree_size(path: Path) -> int:
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() or p.is_symlink())


def _mb(n: int) -> str:
    return f"{n / 1e6:.0f} MB"


def size_report(root: Path, top: int = 8) -> str:
    internal = root / "_internal"
    parts = []
    for child in internal.iterdir():
        size = tree_size(child) if child.is_dir() else child.lstat().st_size
        parts.append((size, child.name))
    parts.sort(reverse=True)
    lines = [f"  {_mb(size):>8}  {name}" for size, name in parts[:top]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Slim a PyInstaller onedir GradViz bundle.")
    parser.add_argument("bundle", type=Path, help="the onedir folder (contains _internal/)")
    parser.add_argument("--no-strip", action="store_true", help="skip stripping")
    args = parser.parse_args(argv)
    internal = args.bundle / "_internal"
    if not internal.is_dir():
        parser.error(f"{args.bundle} is not a onedir bundle (no _internal/)")
    start = tree_size(args.bundle)
    removed = prune_orphans(internal)
    freed = start - tree_size(args.bundle)
    print(f"slim: removed {len(removed)} libraries only dropped plugins needed ({_mb(freed)})")
    for p in removed:
        print(f"        {p.relative_to(internal)}")
    if not args.no_strip:
        if shutil.which("strip") is None:
            print("slim: `strip` not found (binutils); bundle left unstripped", file=sys.stderr)
        else:
            saved, kept = strip_libraries(internal)
            print(f"slim: stripped torch and Qt libraries, saved {_mb(saved)}")
            for p in kept:
                print(f"        left unstripped (would not load): {p.relative_to(internal)}")
    print(f"slim: bundle {_mb(start)} -> {_mb(tree_size(args.bundle))}; largest parts:")
    print(size_report(args.bundle))
    return 0


if __name__ == "__main__":
    sys.exit(main())
