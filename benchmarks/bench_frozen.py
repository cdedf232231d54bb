"""The frozen app (``make dist``): start-up to first frame against the same app from the venv,
and the bundle's budgets.

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python benchmarks/run.py --only frozen \
        --frozen dist/gradviz-VERSION-linux-x86_64

``--frozen`` takes the unpacked onedir folder (the one holding the ``gradviz`` executable) or the
``dist/`` folder that ``make dist`` fills. Both apps run ``--quit-after-first-frame``; the parent
times ``Popen`` to the ``FIRST_FRAME`` line, median of alternating runs (see ``bench_startup``).
Sizes come from the folder itself and the tarball beside it; build time from
``dist/build-info.json`` when ``make dist`` wrote one.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench_startup import RUNS, alternate, app_command, display_missing
from table import Row

GOAL_RATIO = 1.35
GOAL_UNPACKED_MB = 650
GOAL_TARBALL_MB = 240
NAME = "frozen start-up to first frame (vs venv)"


def find_bundle(frozen: str | Path) -> Path | None:
    """The onedir folder for ``frozen``: the folder itself, or the newest ``gradviz-*`` in it."""
    path = Path(frozen)
    if (path / "gradviz").is_file() and (path / "_internal").is_dir():
        return path
    bundles = sorted((p for p in path.glob("gradviz-*-linux-x86_64") if (p / "gradviz").is_file()),
                     key=lambda p: p.stat().st_mtime)
    return bundles[-1] if bundles else None


def _size_mb(path: Path) -> float:
    total = sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() or p.is_symlink())
    return total / 1e6


def rows(frozen: str | None = None) -> list[Row]:
    if frozen is None:
        return [Row(NAME, None, "s", goal=GOAL_RATIO, goal_on="ratio",
                    note="pass --frozen DIR (make dist builds dist/gradviz-VERSION-linux-x86_64)")]
    bundle = find_bundle(frozen)
    if bundle is None:
        return [Row(NAME, None, "s", goal=GOAL_RATIO, goal_on="ratio",
                    note=f"no frozen GradViz in {frozen}")]
    out: list[Row] = []
    if display_missing():
        out.append(Row(NAME, None, "s", goal=GOAL_RATIO, goal_on="ratio",
                       note="needs an X display: run under xvfb-run"))
    else:
        frozen_s, venv_s = alternate([str(bundle / "gradviz"), "--quit-after-first-frame"],
                                     app_command())
        out.append(Row(NAME, frozen_s, "s", baseline=venv_s, goal=GOAL_RATIO, goal_on="ratio",
                       note=f"onedir {bundle.name}; baseline python -m gradviz; "
                            f"median of {RUNS} alternating runs"))
    out.append(Row("frozen bundle, unpacked", _size_mb(bundle), "MB", goal=GOAL_UNPACKED_MB,
                   note="10^6 bytes"))
    tarball = bundle.parent / f"{bundle.name}.tar.gz"
    if tarball.is_file():
        out.append(Row("frozen bundle, tar.gz", tarball.stat().st_size / 1e6, "MB",
                       goal=GOAL_TARBALL_MB, note="10^6 bytes"))
    info_file = bundle.parent / "build-info.json"
    if info_file.is_file():
        info = json.loads(info_file.read_text(encoding="utf-8"))
        if info.get("name") == bundle.name:
            phases = ", ".join(f"{k} {v} s" for k, v in info.get("phases", {}).items())
            out.append(Row("make dist build time", float(info["build_seconds"]), "s",
                           note=phases))
    return out
