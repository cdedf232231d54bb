"""Exporting pictures for slides: any panel or the window as PNG, 2D plots as SVG, the OpenGL
view at a chosen resolution, and a steppable panel's animation as an animated GIF."""

from __future__ import annotations

import copy
import logging
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QImage
from PySide6.QtOpenGLWidgets import QOpenGLWidget
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from gradviz.core.model import AppModel, StateError
from gradviz.ui.render import grab, image_to_array

log = logging.getLogger(__name__)
MAX_GL_SIDE = 8192
MAX_GIF_FRAMES = 600


class ExportError(RuntimeError):
    """An export that could not be written; the message says why."""


def export_png(widget: QWidget, path: str | Path) -> Path:
    """The widget as it looks on screen (OpenGL children included) as PNG."""
    p = Path(path)
    image = grab(widget)
    if image.isNull() or not image.save(str(p), "PNG"):
        raise ExportError(f"Could not write {p}")
    return p


def plot_widgets(root: QWidget) -> list[pg.PlotWidget]:
    """The 2D pyqtgraph plots under ``root`` (the widget itself included)."""
    found = [root] if isinstance(root, pg.PlotWidget) else []
    return found + [w for w in root.findChildren(pg.PlotWidget) if w.isVisible()]


def export_svg(plot: pg.PlotWidget, path: str | Path) -> Path:
    """A 2D plot as a vector SVG.

    pyqtgraph's ``SVGExporter`` is tried first; when it cannot parse what this Qt version's SVG
    generator writes, the plot's scene is rendered through ``QSvgGenerator`` directly (still
    vector paths, not a bitmap).
    """
    from pyqtgraph.exporters import SVGExporter

    p = Path(path)
    try:
        SVGExporter(plot.getPlotItem()).export(str(p))
    except Exception as exc:  # pyqtgraph raises plain Exceptions
        log.info("pyqtgraph's SVG exporter failed (%s); using QSvgGenerator", exc)
        _render_svg(plot, p)
    if not p.is_file() or p.stat().st_size == 0:
        raise ExportError(f"Could not write {p}")
    return p


def _render_svg(plot: pg.PlotWidget, path: Path) -> None:
    from PySide6.QtCore import QRect, QRectF
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    w, h = max(1, plot.width()), max(1, plot.height())
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(plot.size())
    generator.setViewBox(QRect(0, 0, w, h))
    generator.setTitle("GradViz plot")
    painter = QPainter()
    if not painter.begin(generator):
        raise ExportError(f"Could not write {path}")
    try:
        source = plot.mapToScene(plot.viewport().rect()).boundingRect()
        plot.scene().render(painter, QRectF(0, 0, w, h), source)
    finally:
        painter.end()


def gl_widgets(root: QWidget) -> list[QOpenGLWidget]:
    """The OpenGL views under ``root``, found generically."""
    found = [root] if isinstance(root, QOpenGLWidget) else []
    return found + [w for w in root.findChildren(QOpenGLWidget) if w.isVisible()]


def render_gl(view: QOpenGLWidget, width: int, height: int) -> QImage:
    """Render an OpenGL view off-screen at ``width`` × ``height`` pixels.

    pyqtgraph's ``GLViewWidget`` renders tiles into a framebuffer object at any size; any other
    ``QOpenGLWidget`` gives its framebuffer, scaled.
    """
    if not (16 <= width <= MAX_GL_SIDE and 16 <= height <= MAX_GL_SIDE):
        raise ExportError(f"choose a size between 16 and {MAX_GL_SIDE} pixels")
    render = getattr(view, "renderToArray", None)
    if callable(render):
        arr = np.ascontiguousarray(render((width, height)))  # (h, w, 4) BGRA
        image = QImage(arr.data, width, height, width * 4, QImage.Format.Format_ARGB32).copy()
        view.doneCurrent()
        return image.convertToFormat(QImage.Format.Format_RGB32)
    image = view.grabFramebuffer()
    return image.scaled(width, height)


def export_gl(view: QOpenGLWidget, path: str | Path, width: int, height: int) -> Path:
    p = Path(path)
    image = render_gl(view, width, height)
    if image.isNull() or not image.save(str(p), "PNG"):
        raise ExportError(f"Could not write {p}")
    return p


def export_gif(panel, path: str | Path, frames: int = 40, frame_ms: int = 120,
               model: AppModel | None = None, settle_ms: int = 30) -> int:
    """Step a panel (its stepping protocol) and grab a frame after each step; write an
    animated GIF. The model's state is restored afterwards. Returns the number of frames."""
    import imageio.v3 as iio

    from gradviz.ui.window_common import settle

    if not panel.can_step():
        raise ExportError(f"{panel.title or 'This panel'} has no steps to animate")
    frames = max(2, min(int(frames), MAX_GIF_FRAMES))
    model = model if model is not None else getattr(panel, "model", None)
    snapshot = copy.deepcopy(model.to_dict()) if model is not None else None
    images: list[np.ndarray] = []
    try:
        settle(settle_ms)
        images.append(image_to_array(grab(panel))[..., :3])
        while len(images) < frames and panel.step(+1):
            settle(settle_ms)
            images.append(image_to_array(grab(panel))[..., :3])
    finally:
        if snapshot is not None:
            try:
                model.from_dict(snapshot)
            except StateError:
                log.exception("could not restore the state after exporting an animation")
    h = min(a.shape[0] for a in images)
    w = min(a.shape[1] for a in images)
    stack = np.stack([a[:h, :w] for a in images])
    p = Path(path)
    try:
        iio.imwrite(p, stack, plugin="pillow", extension=".gif", duration=int(frame_ms), loop=0)
    except Exception as exc:
        raise ExportError(f"Could not write {p}: {exc}") from exc
    return len(images)


class QtExportDialog(QDialog):
    """Choose what to export (the window or a panel) and how (PNG, SVG, 3D view, GIF)."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.setWindowTitle("Export")
        self.window_ = window
        form = QFormLayout(self)
        self.target = QComboBox()
        self.target.addItem("The whole window", None)
        for name, dock in window.docks.items():
            if dock.panel is not None and dock.isVisible():
                self.target.addItem(f"Panel: {dock.spec.title}", name)
        last = getattr(window, "_last_panel", None)
        if last is not None and self.target.findData(last) >= 0:
            self.target.setCurrentIndex(self.target.findData(last))
        self.kind = QComboBox()
        self.width = QSpinBox(minimum=16, maximum=MAX_GL_SIDE, value=1920)
        self.height = QSpinBox(minimum=16, maximum=MAX_GL_SIDE, value=1080)
        self.frames = QSpinBox(minimum=2, maximum=MAX_GIF_FRAMES, value=40)
        self.frame_ms = QSpinBox(minimum=20, maximum=5000, value=120, suffix=" ms")
        self.note = QLabel()
        self.note.setWordWrap(True)
        form.addRow("Export", self.target)
        form.addRow("As", self.kind)
        form.addRow("3D width", self.width)
        form.addRow("3D height", self.height)
        form.addRow("GIF frames", self.frames)
        form.addRow("Per frame", self.frame_ms)
        form.addRow(self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._export)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.target.currentIndexChanged.connect(self._fill_kinds)
        self.kind.currentIndexChanged.connect(self._enable_fields)
        self._fill_kinds()

    def _source(self) -> QWidget:
        name = self.target.currentData()
        return self.window_ if name is None else self.window_.docks[name].panel

    def _fill_kinds(self) -> None:
        source = self._source()
        self.kind.clear()
        self.kind.addItem("PNG picture", "png")
        if plot_widgets(source):
            self.kind.addItem("SVG of the plot (vector)", "svg")
        if gl_widgets(source):
            self.kind.addItem("3D view as PNG at a chosen size", "gl")
        if source is not self.window_ and source.can_step():
            self.kind.addItem("Animated GIF of its steps", "gif")
        self._enable_fields()

    def _enable_fields(self) -> None:
        kind = self.kind.currentData()
        for w in (self.width, self.height):
            w.setEnabled(kind == "gl")
        for w in (self.frames, self.frame_ms):
            w.setEnabled(kind == "gif")

    def _export(self) -> None:
        kind = self.kind.currentData() or "png"
        suffix = {"png": ".png", "gl": ".png", "svg": ".svg", "gif": ".gif"}[kind]
        name = self.target.currentData() or "gradviz"
        path, _ = QFileDialog.getSaveFileName(self, "Export", f"{name}{suffix}",
                                              f"{suffix[1:].upper()} (*{suffix})")
        if not path:
            return
        if not path.lower().endswith(suffix):
            path += suffix
        source = self._source()
        try:
            if kind == "png":
                export_png(source, path)
            elif kind == "svg":
                export_svg(plot_widgets(source)[0], path)
            elif kind == "gl":
                export_gl(gl_widgets(source)[0], path, self.width.value(), self.height.value())
            else:
                export_gif(source, path, self.frames.value(), self.frame_ms.value(),
                           model=self.window_.model)
        except (ExportError, OSError) as exc:
            self.note.setText(str(exc))
            return
        self.window_.show_status(f"Exported {path}")
        self.accept()
