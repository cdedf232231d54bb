"""The readouts floating over a presenting panel's visualization never hide most of it: they
spread wider, then shrink their type (not below the status line's), then fold into the strip."""

from __future__ import annotations

import pytest
from lesson_helpers import ScriptedDialogs, stepper_registry
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from gradviz.core.panel_info import Presenter
from gradviz.lesson.scenes import AddSceneCommand, capture_scene
from gradviz.ui.panels.base import QtPanel
from gradviz.ui.panels.readout_overlay import OVERLAY_COVER, QtReadoutOverlay, points
from gradviz.ui.registry import PanelSpec
from gradviz.ui.window_common import settle

READOUT = ("ball 1 at (x, y) = (1, -0.3): f = 0.4   ∂f/∂x = 1.4   ∂f/∂y = 2   |∇f| = 2.44131 "
           "and the step it takes next: x ← x − lr · ∂f/∂x")


@pytest.fixture
def view(qtbot):
    """A 420×300 visualization in a window whose status line is in 9 pt type."""
    top = QWidget()
    column = QVBoxLayout(top)
    status = QLabel("Folded to fit: nothing")
    status.setObjectName("presentation-status")
    small = QFont(status.font())
    small.setPointSizeF(9.0)
    status.setFont(small)
    host = QWidget()
    host.setFixedSize(420, 300)
    column.addWidget(status)
    column.addWidget(host)
    qtbot.addWidget(top)
    top.show()
    qtbot.waitExposed(top)
    yield host
    top.close()


def _overlay(host: QWidget, text: str, size: float) -> tuple[QtReadoutOverlay, QLabel]:
    overlay = QtReadoutOverlay(host)
    label = QLabel(text)
    label.setWordWrap(True)
    font = QFont(label.font())
    font.setPointSizeF(size)
    label.setFont(font)
    overlay.box.addWidget(label)
    overlay.show()
    overlay.place()
    settle(20)
    return overlay, label


def test_a_big_readout_shrinks_to_its_cap_and_no_further_than_the_status_line(view):
    overlay, label = _overlay(view, READOUT, 27.0)  # ×3 of 9 pt
    covered = overlay.width() * overlay.height() / (view.width() * view.height())
    assert covered <= OVERLAY_COVER
    assert not overlay.crowds()
    assert overlay.geometry().bottom() < view.height()
    assert 9.0 <= points(label.font()) < 27.0  # smaller, but not below the status line
    overlay.restore_fonts()
    assert points(label.font()) == pytest.approx(27.0)


def test_the_type_does_not_jump_back_while_only_the_text_changes(view):
    overlay, label = _overlay(view, READOUT, 27.0)
    shrunk = overlay.factor
    assert shrunk < 1.0
    label.setText("f = 0.4")  # the next step's readout is short: the type stays as it was
    settle(20)
    assert overlay.factor == shrunk
    view.setFixedSize(421, 300)  # the view changes: the box fits from the full type again
    settle(20)
    assert overlay.factor == 1.0 and points(label.font()) == pytest.approx(27.0)


def test_a_short_readout_keeps_its_type(view):
    overlay, label = _overlay(view, "f = 0.4", 27.0)
    assert overlay.factor == 1.0 and points(label.font()) == pytest.approx(27.0)
    assert not overlay.crowds()


def test_a_readout_too_long_even_at_the_floor_crowds(view):
    overlay, label = _overlay(view, " ".join([READOUT] * 6), 27.0)
    assert points(label.font()) == pytest.approx(9.0, abs=0.05)  # shrunk to the floor …
    assert overlay.crowds()  # … and still over the cap: the panel must fold it


class ReadoutPanel(QtPanel):
    """A plot with a long readout declared to float over it."""

    explainer = "A readout over a plot."

    def __init__(self, ctx):
        super().__init__(ctx)
        self.plot = QLabel("plot")
        self.plot.setObjectName("section-plot")
        self.plot.setMinimumSize(200, 150)
        self.readout = QLabel(" ".join([READOUT] * 30))
        self.readout.setObjectName("readout")
        self.readout.setWordWrap(True)
        self.body_layout.addWidget(self.plot, 1)
        self.body_layout.addWidget(self.readout)


@pytest.fixture
def readout_window(make_window, qtbot):
    reg = stepper_registry()
    reg.register(PanelSpec("readouts", "Readouts", ReadoutPanel,
                           presenter=Presenter(show=("plot",), overlay=("readout",))))
    window = make_window(reg=reg)
    window.lessons.dialogs = ScriptedDialogs()
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    AddSceneCommand(window.model["scenes"],
                    capture_scene(window.model, ["readouts", "stepper"], "Side by side")).do()
    window.activateWindow()
    qtbot.waitActive(window)
    yield window
    window.presentation.stop()


def test_readouts_over_their_cap_fold_into_the_strip_and_the_status_line_says_so(
        readout_window, qtbot):
    w = readout_window
    w.presentation.set_scale(3.0)
    qtbot.keyClick(QApplication.focusWidget() or w, Qt.Key.Key_F5)
    settle(100)
    panel = w.panel("readouts")
    overlay = panel.presenter_sections.arrangement.overlay
    assert overlay is not None and not overlay.isVisible()
    assert "Readouts: Readouts" in w.presentation.hidden_note
    assert "Readouts: Readouts" in w.presentation.caption_box.status.text()
    toggle = panel.fold_strip.buttons["readouts"]
    toggle.click()  # the lecturer may still show them
    assert overlay.isVisible()
    qtbot.keyClick(QApplication.focusWidget() or w, Qt.Key.Key_Escape)
    settle(50)
    assert panel.readout.isVisible() and panel.readout.parentWidget() is not None
    assert not panel.fold_strip.isVisible()


def test_a_legend_under_a_wide_readout_moves_below_it_and_goes_home_after(qtbot):
    import pyqtgraph as pg

    plot = pg.PlotWidget()
    plot.setFixedSize(420, 360)
    legend = plot.addLegend(offset=(10, 10))
    plot.plot([0, 1, 2], [0, 1, 4], name="one press (the true gradient) of w")
    plot.plot([0, 1, 2], [0, 2, 1], name="b.grad")
    qtbot.addWidget(plot)
    plot.show()
    qtbot.waitExposed(plot)
    settle(20)
    home = legend.mapRectToScene(legend.boundingRect())
    overlay, _ = _overlay(plot, READOUT, 14.0)  # spreads across the top of a narrow plot
    box = overlay.geometry()
    assert box.left() < plot.mapFromScene(home.topRight()).x()  # it would cover the legend
    moved = plot.mapFromScene(legend.mapRectToScene(legend.boundingRect())).boundingRect()
    assert moved.top() > box.bottom()  # now just below the box, whole
    assert moved.bottom() < plot.height()
    overlay.restore_fonts()  # presenting stops
    back = legend.mapRectToScene(legend.boundingRect())
    assert back == home
