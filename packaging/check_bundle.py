"""Check the frozen bundle's module archive against the source tree (build venv's python).

    python packaging/check_bundle.py BUNDLE_DIR

Panels are imported by name at run time, so PyInstaller's scanner cannot see them; the spec
collects every gradviz module instead. This proves it did: every module under gradviz/ is in the
executable's archive. It also checks the modules of code paths the smoke test cannot click
(animated GIF export through imageio and Pillow) and that what slim.py leaves out stays out.
Exit 1 on any miss.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PyInstaller.archive.readers import CArchiveReader

ROOT = Path(__file__).resolve().parent.parent

#: Imported lazily by features the smoke test does not exercise.
LAZY_NEEDS = ["imageio.v3", "imageio.plugins.pillow", "PIL.Image", "PIL.GifImagePlugin",
              "pyqtgraph.opengl", "OpenGL.GL", "sympy", "torch.optim"]
#: Left out on purpose (packaging/slim.py).
MUST_LACK = ["tkinter", "tensorboard", "PySide6.QtNetwork", "PySide6.QtQml", "PIL._avif"]


def source_modules() -> set[str]:
    mods = set()
    for path in (ROOT / "gradviz").rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods.add(".".join(parts))
    return mods


def archived_modules(bundle: Path) -> set[str]:
    exe = CArchiveReader(str(bundle / "gradviz"))
    pyz_name = next(name for name in exe.toc if name.endswith(".pyz"))
    return set(exe.open_embedded_archive(pyz_name).toc)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    bundle = Path(argv[0])
    archived = archived_modules(bundle)
    extension_names = {p.name.split(".")[0] for p in (bundle / "_internal").rglob("*.so")}
    problems = []
    missing = sorted(source_modules() - archived)
    if missing:
        problems.append(f"gradviz modules not bundled: {', '.join(missing)}")
    for name in LAZY_NEEDS:
        if name not in archived:
            problems.append(f"not bundled: {name}")
    if not any((bundle / "_internal" / "PIL").glob("_imaging.*.so")):
        problems.append("not bundled: PIL._imaging")
    for name in MUST_LACK:
        if name in archived or name.rsplit(".", 1)[-1] in extension_names:
            problems.append(f"bundled although left out on purpose: {name}")
    for line in problems:
        print(f"FAIL  {line}")
    gradviz_count = sum(m == "gradviz" or m.startswith("gradviz.") for m in archived)
    print(f"{'ok' if not problems else 'FAIL'}    archive: {len(archived)} modules, "
          f"{gradviz_count} of them gradviz (source tree: {len(source_modules())})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
