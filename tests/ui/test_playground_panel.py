"""The Playground panel driven both ways: the model shows in the widgets, clicks change the model
(through the undo stack), points are added and erased with the mouse, CSV files are refused whole,
and the run is rewound with its curves kept as a ghost."""

from __future__ import annotations

import pytest
import torch
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from gradviz.core.playground_code import export_code
from gradviz.ui.panels.playground.panel import QtPlaygroundPanel
from gradviz.ui.window_common import settle


class ScriptedFiles:
    """Answers the panel's file questions with fixed paths."""

    def __init__(self, open_path=None, save_path=None):
        self.open_path, self.save_path = open_path, save_path

    def open_csv(self):
        return self.open_path

    def save_code(self, suggested):
        return self.save_path


@pytest.fixture
def panel(make_panel):
    return make_panel(QtPlaygroundPanel, (1400, 900))


def plane_pos(panel, x, y) -> QPoint:
    """Where the input-plane point (x, y) is on the plot's viewport."""
    plot = panel.plane_view.plot
    scene = plot.getViewBox().mapViewToScene(QPointF(x, y))
    return plot.mapFromScene(scene)


def click_plane(qtbot, panel, x, y, button=Qt.MouseButton.LeftButton):
    pos = plane_pos(panel, x, y)
    qtbot.mouseMove(panel.plane_view.plot.viewport(), pos)
    qtbot.mouseClick(panel.plane_view.plot.viewport(), button, pos=pos)


def shift_drag(qtbot, panel, points):
    """A real Shift-drag over the plane through the given (x, y) points."""
    viewport = panel.plane_view.plot.viewport()
    shift, left = Qt.KeyboardModifier.ShiftModifier, Qt.MouseButton.LeftButton
    first = plane_pos(panel, *points[0])
    qtbot.mousePress(viewport, left, shift, first)
    for x, y in points[1:]:
        pos = QPointF(plane_pos(panel, x, y))
        event = QMouseEvent(QEvent.Type.MouseMove, pos, QPointF(viewport.mapToGlobal(pos)),
                            Qt.MouseButton.NoButton, left, shift)
        QApplication.sendEvent(viewport, event)
    qtbot.mouseRelease(viewport, left, shift, plane_pos(panel, *points[-1]))


def test_model_changes_show_in_the_widgets(panel):
    pg = panel.pg
    pg.dataset = "xor"
    pg.lr = 0.05
    pg.hidden = (3,)
    assert panel.data_section.dataset_combo.currentData() == "xor"
    assert panel.settings_section.lr_spin.value() == pytest.approx(0.05)
    assert panel.settings_section.hidden_edit.text() == "3"
    assert panel.network_view.sizes == [2, 3, 1]
    assert [len(p) for p in panel.network_view.positions] == [2, 3, 1]


def test_widgets_change_the_model(qtbot, panel):
    pg = panel.pg
    combo = panel.settings_section.optimizer_combo
    combo.setCurrentIndex(combo.findData("SGD"))
    assert pg.optimizer == "SGD"
    edit = panel.settings_section.hidden_edit
    edit.setText("5, 5")
    edit.editingFinished.emit()
    assert pg.hidden == (5, 5)
    edit.setText("20")
    edit.editingFinished.emit()
    assert pg.hidden == (5, 5) and edit.text() == "5, 5"
    assert "16" in panel.data_section.points_label.text()


def test_step_button_makes_one_real_update(qtbot, panel):
    before = [p.detach().clone() for p in panel.pg.network.parameters()]
    qtbot.mouseClick(panel.stepping_section.step_button, Qt.MouseButton.LeftButton)
    assert panel.pg.steps == 1
    after = list(panel.pg.network.parameters())
    assert any(not torch.equal(a, b) for a, b in zip(after, before, strict=True))
    qtbot.waitUntil(lambda: panel.status_label.text().startswith("step 1 "))


def test_clicks_add_points_by_button_and_shift_drag_erases(qtbot, panel):
    pg = panel.pg
    click_plane(qtbot, panel, 0.5, 0.5)
    click_plane(qtbot, panel, -0.5, 0.25, Qt.MouseButton.RightButton)
    assert len(pg.points) == 2
    (x1, y1, l1), (x2, y2, l2) = pg.points
    assert (l1, l2) == (1.0, 0.0)
    assert x1 == pytest.approx(0.5, abs=0.03) and y2 == pytest.approx(0.25, abs=0.03)
    assert len(pg.data()[0]) + len(pg.data()[2]) == 1002  # the run includes them
    shift_drag(qtbot, panel, [(0.3, 0.5), (0.45, 0.5), (0.55, 0.5), (0.7, 0.5)])
    assert [p[2] for p in pg.points] == [0.0]
    assert "1 added point" in panel.data_section.points_label.text()


def test_point_edits_are_undoable_in_the_window(qtbot, window):
    window.show_panel("playground")
    panel = window.docks["playground"].ensure_panel()
    qtbot.waitExposed(panel)
    window.activateWindow()
    qtbot.waitActive(window)
    settle(100)  # the dock's final geometry, so view coordinates map to the right pixels
    pg = panel.pg
    for x in (0.1, 0.2, 0.3):  # as the plane reports clicks (real clicks: the test above)
        panel.plane_view.box_item.clicked.emit(x, -0.6, "left")
    shift_drag(qtbot, panel, [(0.05, -0.6), (0.12, -0.6), (0.2, -0.6)])
    assert len(pg.points) == 1
    window.undo_stack.undo()  # the whole stroke is one step
    assert len(pg.points) == 3
    window.undo_stack.undo()
    assert len(pg.points) == 2


def test_a_bad_csv_is_refused_whole_naming_the_line(tmp_path, panel):
    pg = panel.pg
    pg.points = ((0.1, 0.1, 1.0),)
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n0.1,0.2,1\n0.3,oops,0\n", encoding="utf-8")
    panel.dialogs = ScriptedFiles(open_path=str(bad))
    panel.load_csv()
    assert pg.points == ((0.1, 0.1, 1.0),)
    assert "line 3" in panel.data_section.points_label.text()
    good = tmp_path / "good.csv"
    good.write_text("0.1,0.2,1\n-0.3,0.4,0\n", encoding="utf-8")
    panel.dialogs = ScriptedFiles(open_path=str(good))
    panel.load_csv()
    assert pg.points == ((0.1, 0.2, 1.0), (-0.3, 0.4, 0.0))


def test_rewind_restarts_from_the_same_weights_and_keeps_a_ghost(qtbot, panel):
    pg = panel.pg
    initial = [p.detach().clone() for p in pg.network.parameters()]
    pg.step(40)
    curve = pg.train_curve
    qtbot.mouseClick(panel.stepping_section.rewind_button, Qt.MouseButton.LeftButton)
    assert pg.steps == 0
    for p, q in zip(pg.network.parameters(), initial, strict=True):
        assert torch.equal(p.detach(), q)
    (ghost,) = panel.ghosts.ghosts
    assert list(ghost.train) == curve and "40 steps" in ghost.label and "Adam" in ghost.label
    assert panel.loss_view.ghost_labels() == [f"ghost 1: {ghost.label}"]
    for _ in range(5):
        pg.step(5)
        panel.rewind()
    assert len(panel.ghosts.ghosts) == 4


def test_ghosts_are_saved_and_validated_in_lessons(panel):
    from gradviz.app import build_model
    from gradviz.core.model import StateError

    panel.pg.step(10)
    panel.rewind()
    saved = panel.model.to_dict()
    fresh = build_model()
    fresh.from_dict(saved)
    assert fresh["playground_ghosts"].ghosts == panel.ghosts.ghosts
    broken = {"ghosts": [{"label": "x", "train": [0.1, "zero"], "test": [0.1, 0.2]}]}
    with pytest.raises(StateError):
        fresh["playground_ghosts"].from_dict(broken)
    assert fresh["playground_ghosts"].ghosts == panel.ghosts.ghosts


def test_play_trains_and_redraws_until_paused(qtbot, panel):
    qtbot.mouseClick(panel.stepping_section.play_button, Qt.MouseButton.LeftButton)
    assert panel.trainer.playing
    qtbot.waitUntil(lambda: panel.pg.steps > 100, timeout=5000)
    qtbot.mouseClick(panel.stepping_section.play_button, Qt.MouseButton.LeftButton)
    assert not panel.trainer.playing
    steps = panel.pg.steps
    qtbot.wait(50)
    assert panel.pg.steps == steps
    assert panel.status_label.text().startswith(f"step {steps} ")
    assert panel.stepping_section.play_button.text() == "Play"


def test_export_writes_the_models_script(tmp_path, panel):
    panel.pg.step(7)
    target = tmp_path / "run.py"
    panel.dialogs = ScriptedFiles(save_path=str(target))
    panel.export()
    text = target.read_text(encoding="utf-8")
    assert text == export_code(panel.pg)
    compile(text, str(target), "exec")
