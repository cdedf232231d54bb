"""A tiny OpenGL scene that proves GL really draws: a red sphere in a ``GLViewWidget``."""

from __future__ import annotations

import numpy as np

from gradviz.ui.render import image_to_array


def probe_opengl(size: int = 160) -> tuple[bool, str]:
    """Render a red sphere and count red pixels; returns (ok, message). Needs a QApplication."""
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.platformName() in ("offscreen", "minimal"):
        return False, f"the {QGuiApplication.platformName()!r} Qt platform cannot do OpenGL"
    try:
        import pyqtgraph.opengl as gl

        from gradviz.ui.window_common import settle

        view = gl.GLViewWidget()
        view.setBackgroundColor("k")
        view.resize(size, size)
        view.setCameraPosition(distance=6)
        md = gl.MeshData.sphere(rows=12, cols=16, radius=1.5)
        sphere = gl.GLMeshItem(meshdata=md, color=(1, 0, 0, 1), smooth=True, shader="shaded")
        view.addItem(sphere)
        view.show()
        settle(100)
        arr = image_to_array(view.grabFramebuffer())
        view.close()
        view.deleteLater()
        settle()
        red = (arr[..., 0] > 120) & (arr[..., 1] < 80) & (arr[..., 2] < 80)
        share = float(np.mean(red)) if arr.size else 0.0
        if share < 0.05:
            return False, f"OpenGL drew no sphere ({share:.1%} red pixels)"
        return True, f"sphere drawn ({share:.0%} of {arr.shape[1]}×{arr.shape[0]} pixels red)"
    except Exception as exc:
        return False, f"OpenGL failed: {exc}"
