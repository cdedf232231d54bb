"""Handouts: every scene of a lesson as presentation mode shows it, written as ``scene-01.png``, …
at a chosen size, and as a multi-page PDF whose pages hold the same pictures with their captions.

The window is sized to the handout's size, not to the screen, so a 1920×1080 handout made on a
laptop looks like the lecture hall's projector. Without an OpenGL display the 3D panel draws its
2D fallback; the export then says so (``Handouts.notes``) rather than writing empty views.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QFont, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtWidgets import QApplication

from gradviz.ui.render import grab
from gradviz.ui.window_common import settle

log = logging.getLogger(__name__)

DEFAULT_SIZE = (1920, 1080)
MIN_SIDE, MAX_SIDE = 320, 7680
#: The PDF page: 297 mm wide (an A4 landscape width), as tall as the picture's aspect needs plus
#: a band for the caption.
PAGE_WIDTH_MM = 297.0
CAPTION_MM = 28.0


class HandoutError(RuntimeError):
    """A handout that could not be made; the message says why."""


@dataclass
class Handouts:
    """What an export wrote: the PNG files, the PDF (if asked) and notes for the user."""

    pictures: list[Path] = field(default_factory=list)
    pdf: Path | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def parse_size(text: str) -> tuple[int, int]:
    """``"1920x1080"`` → (1920, 1080); a clear ValueError for anything else."""
    w, sep, h = text.lower().replace("×", "x").partition("x")
    if not sep or not w.strip().isdigit() or not h.strip().isdigit():
        raise ValueError(f"--size needs WIDTHxHEIGHT, e.g. 1920x1080, not {text!r}")
    size = int(w), int(h)
    if not all(MIN_SIDE <= s <= MAX_SIDE for s in size):
        raise ValueError(f"--size: each side must lie in {MIN_SIDE}–{MAX_SIDE} pixels, got {text}")
    return size


def render_scene(window, index: int, size: tuple[int, int], scale: float) -> QImage:
    """Scene ``index`` in presentation mode at ``size`` pixels and font ``scale``."""
    presentation = window.presentation
    presentation.set_scale(scale)
    if not presentation.active:
        presentation.start()
    # Presentation mode asks for full screen; a handout has its own size whatever the screen's.
    window.showNormal()
    window.setGeometry(0, 0, *size)
    if not presentation.go_to_scene(index):
        raise HandoutError(f"scene {index + 1} could not be shown")
    window.resize(*size)
    settle(250)
    return grab(window)


def export_scenes(window, folder: str | Path, size: tuple[int, int] = DEFAULT_SIZE,
                  scale: float = 1.5, pdf: str | Path | None = None,
                  only: int | None = None) -> Handouts:
    """Write ``scene-01.png``, … into ``folder`` and, with ``pdf``, the handout PDF; ``only``
    (0-based) exports that one scene."""
    scenes = window.lessons.scenes
    if scenes is None or len(scenes) == 0:
        raise HandoutError("this lesson has no scenes to export")
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    result = Handouts()
    t0 = time.perf_counter()
    captions = []
    try:
        for i in range(len(scenes)) if only is None else [only]:
            image = render_scene(window, i, size, scale)
            path = out / f"scene-{i + 1:02d}.png"
            if image.isNull() or not image.save(str(path), "PNG"):
                raise HandoutError(f"could not write {path}")
            result.pictures.append(path)
            captions.append(scenes[i].caption)
    finally:
        window.presentation.stop()
    if pdf is not None:
        result.pdf = write_pdf(pdf, result.pictures, captions)
    reason = _gl_fallback_reason(window)
    if reason:
        result.notes.append(f"The 3D view was drawn with its 2D fallback: {reason}.")
    result.seconds = time.perf_counter() - t0
    return result


def write_pdf(path: str | Path, pictures: list[Path], captions: list[str]) -> Path:
    """One page per picture, the caption underneath in large type."""
    p = Path(path)
    first = QImage(str(pictures[0]))
    aspect = first.height() / max(1, first.width())
    page_mm = QSizeF(PAGE_WIDTH_MM, PAGE_WIDTH_MM * aspect + CAPTION_MM)
    writer = QPdfWriter(str(p))
    writer.setResolution(150)
    writer.setTitle("GradViz handout")
    writer.setCreator("GradViz")
    writer.setPageLayout(QPageLayout(QPageSize(page_mm, QPageSize.Unit.Millimeter),
                                     QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
    painter = QPainter()
    if not painter.begin(writer):
        raise HandoutError(f"could not write {p}")
    try:
        for i, (picture, caption) in enumerate(zip(pictures, captions, strict=True)):
            if i:
                writer.newPage()
            _draw_page(painter, writer, QImage(str(picture)), caption)
    finally:
        painter.end()
    if not p.is_file() or p.stat().st_size == 0:
        raise HandoutError(f"could not write {p}")
    return p


def _draw_page(painter: QPainter, writer: QPdfWriter, image: QImage, caption: str) -> None:
    width = writer.width()
    height = writer.height()
    picture_h = round(width * image.height() / max(1, image.width()))
    painter.drawImage(QRectF(0, 0, width, picture_h), image)
    font = QFont(QApplication.font())
    font.setPixelSize(max(12, round((height - picture_h) * 0.22)))
    painter.setFont(font)
    band = QRectF(QPointF(width * 0.04, picture_h), QPointF(width * 0.96, height))
    painter.drawText(band, int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), caption)


def _gl_fallback_reason(window) -> str | None:
    """Why the loss-surface panel, if a scene showed it, drew no OpenGL view."""
    surface = window.docks.get("surface")
    panel = getattr(surface, "panel", None)
    return getattr(panel, "gl_reason", None) if panel is not None else None
