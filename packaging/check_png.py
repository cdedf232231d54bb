"""Tell a real screenshot from a blank one (run with the BUILD venv's python, not the frozen app).

    python packaging/check_png.py a.png b.png ...     # exit 1 if any is missing or blank

Same rule as gradviz.ui.render.PictureStats.blank (at least 8 distinct colours and a grey-level
standard deviation of 4 or more), re-stated here so the smoke test does not trust the code it
tests. Prints one line per picture.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

MIN_COLOURS = 8
MIN_STD = 4.0
MIN_SIDE = 100


def stats(path: Path) -> tuple[int, int, int, float]:
    """Width, height, distinct RGB colours and grey-level standard deviation of a PNG."""
    image = QImage(str(path))
    if image.isNull():
        raise ValueError("not a readable image")
    image = image.convertToFormat(QImage.Format.Format_RGBA8888)
    w, h = image.width(), image.height()
    buf = np.frombuffer(image.constBits(), np.uint8, count=image.sizeInBytes())
    rgb = buf.reshape(h, image.bytesPerLine())[:, : w * 4].reshape(h, w, 4)[..., :3]
    packed = (rgb[..., 0].astype(np.uint32) << 16) | (rgb[..., 1].astype(np.uint32) << 8) | rgb[..., 2]
    return w, h, len(np.unique(packed)), float(rgb.mean(axis=2).std())


def main(paths: list[str]) -> int:
    if not paths:
        print("check_png: no pictures given", file=sys.stderr)
        return 2
    bad = 0
    for name in paths:
        path = Path(name)
        try:
            w, h, colours, std = stats(path)
        except (OSError, ValueError) as exc:
            print(f"FAIL  {path.name}: {exc}")
            bad += 1
            continue
        good = min(w, h) >= MIN_SIDE and colours >= MIN_COLOURS and std >= MIN_STD
        bad += not good
        print(f"{'ok  ' if good else 'FAIL'}  {path.name}: {w}x{h}, {colours} colours, "
              f"grey std {std:.1f}" + ("" if good else "  <- blank"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
