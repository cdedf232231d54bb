"""Export: PNG of a panel or the window, SVG of a 2D plot, the OpenGL view at a chosen size,
an animated GIF of a steppable panel."""

from __future__ import annotations

import imageio.v3 as iio
import numpy as np
import pyqtgraph as pg
import pytest
from lesson_helpers import stepper_registry
from PySide6.QtGui import QImage

from gradviz.ui.export import (
    ExportError,
    export_gif,
    export_gl,
    export_png,
    export_svg,
    gl_widgets,
    plot_widgets,
)
from gradviz.ui.render import picture_stats
from gradviz.ui.window_common import settle


def test_png_of_the_window_and_a_panel(window, tmp_path):
    settle(100)
    out = export_png(window, tmp_path / "w.png")
    assert not picture_stats(QImage(str(out))).blank
    panel = window.panel("chapter_map")
    out = export_png(panel, tmp_path / "p.png")
    image = QImage(str(out))
    assert (image.width(), image.height()) == (panel.width(), panel.height())
    with pytest.raises(ExportError):
        export_png(panel, tmp_path / "missing" / "x.png")


def test_svg_of_a_2d_plot(window, tmp_path):
    panel = window.panel("chapter_map")
    plot = pg.PlotWidget()
    plot.plot(np.linspace(0, 1, 20), np.linspace(0, 1, 20) ** 2, pen="r")
    panel.body_layout.addWidget(plot)
    settle(50)
    assert plot in plot_widgets(panel)
    out = export_svg(plot, tmp_path / "plot.svg")
    text = out.read_text("utf-8")
    assert "<svg" in text and ("<path" in text or "<polyline" in text)


def test_gif_of_a_steppable_panel_restores_the_state(make_window, tmp_path):
    window = make_window(reg=stepper_registry())
    window.show()
    window.show_panel("stepper")
    panel = window.panel("stepper")
    window.model["mininet"].w = 1.25
    n = export_gif(panel, tmp_path / "a.gif", frames=10, frame_ms=50, model=window.model)
    assert n == 3  # positions 0, 1, 2; then the panel refuses to step
    frames = iio.imread(tmp_path / "a.gif", index=None)
    assert frames.shape[0] == 3
    assert not np.array_equal(frames[0], frames[2])  # the label changed between frames
    assert window.model["mininet"].w == 1.25
    with pytest.raises(ExportError):
        export_gif(window.panel("chapter_map"), tmp_path / "b.gif")


@pytest.mark.gl
def test_opengl_view_at_a_chosen_resolution(window, tmp_path):
    views = []
    for name in window.docks:
        window.show_panel(name)
        settle(100)
        views = gl_widgets(window.panel(name))
        if views:
            break
    if not views:
        pytest.skip("no OpenGL panel in this build")
    settle(300)
    out = export_gl(views[0], tmp_path / "gl.png", 1280, 720)
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 720)
    assert not picture_stats(image).blank


def test_export_dialog_offers_what_the_target_can_do(make_window):
    from gradviz.ui.export import QtExportDialog

    window = make_window(reg=stepper_registry())
    window.show()
    window.show_panel("stepper")
    settle(50)
    dialog = QtExportDialog(window)
    kinds = lambda: [dialog.kind.itemData(i) for i in range(dialog.kind.count())]  # noqa: E731
    dialog.target.setCurrentIndex(dialog.target.findData(None))
    assert kinds()[0] == "png" and "gif" not in kinds()
    dialog.target.setCurrentIndex(dialog.target.findData("stepper"))
    assert "gif" in kinds()
    dialog.kind.setCurrentIndex(kinds().index("gif"))
    assert dialog.frames.isEnabled() and not dialog.width.isEnabled()
    dialog.deleteLater()
