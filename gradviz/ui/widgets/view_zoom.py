"""Framing a graph canvas (a ``QGraphicsView``) without shrinking its text below legibility.

Shared by the hand-built graph editor and the traced graph: both fit their graph to the view
but never zoom out past the zoom at which their values stay readable (nor in past a cap), and
a graph that does not fit at that zoom is then shown in part and followed while stepping.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QGraphicsView


def fit_legibly(view: QGraphicsView, rect: QRectF, legible: float,
                most: float) -> tuple[float, bool]:
    """Scale ``view`` to frame ``rect``, kept between ``legible`` and ``most``; return the zoom
    and whether ``rect`` overflows the view at it (the caller then chooses what to centre)."""
    view.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
    fitted = view.transform().m11()
    zoom = max(legible, min(fitted, most))
    view.resetTransform()
    view.scale(zoom, zoom)
    return zoom, zoom > fitted * 1.0001


def scroll_by(view: QGraphicsView, dx: float, dy: float) -> None:
    """Pan ``view`` by whole pixels through its scroll bars."""
    for bar, delta in ((view.horizontalScrollBar(), dx), (view.verticalScrollBar(), dy)):
        bar.setValue(bar.value() + round(delta))
