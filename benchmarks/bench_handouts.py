"""Handouts: exporting the bundled tour's scenes to PNG and a PDF, as ``gradviz LESSON
--export-scenes DIR --pdf FILE`` does (goal ≤ 20 s for the 13-scene tour at 1920×1080 ×1.5)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from table import Row


def rows() -> list[Row]:
    from gradviz.core.resources import resource_path

    tour = resource_path("lessons", "why-derivatives.gradviz")
    if not tour.is_file():
        return [Row("export the tour's scenes (PNG + PDF)", None, "s", note="tour not built")]
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "gradviz", str(tour), "--export-scenes", d,
                              "--size", "1920x1080", "--scale", "1.5",
                              "--pdf", str(Path(d) / "handout.pdf")],
                             capture_output=True, text=True, timeout=600)
        seconds = time.perf_counter() - t0
        count = len(list(Path(d).glob("scene-*.png")))
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "gradviz", "--version"], capture_output=True,
                       check=True)
        start = time.perf_counter() - t0
    if out.returncode != 0:
        return [Row("export the tour's scenes (PNG + PDF)", None, "s",
                    note=f"failed: {out.stderr.strip()[-200:]}")]
    return [Row(f"export the tour's {count} scenes to PNG + PDF (1920×1080 ×1.5)", seconds, "s",
                start, goal=20, note="whole process; baseline: gradviz --version")]
