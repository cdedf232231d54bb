"""Render resources/icons/gradviz.svg to the PNG that install.sh puts in the icon theme.

    python packaging/render_icon.py        # writes resources/icons/gradviz-256.png

Menus that do not draw SVG icons (and some docks) use the PNG; rerun this after changing the SVG.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZE = 256


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 - fonts need it
    renderer = QSvgRenderer(str(ROOT / "resources" / "icons" / "gradviz.svg"))
    if not renderer.isValid():
        print("render_icon: the SVG did not parse", file=sys.stderr)
        return 1
    image = QImage(SIZE, SIZE, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    out = ROOT / "resources" / "icons" / f"gradviz-{SIZE}.png"
    if not image.save(str(out), "PNG"):
        return 1
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
