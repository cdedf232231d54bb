"""Presentation mode driven by keys, as a lecturer's clicker would."""

from __future__ import annotations

import numpy as np
import pytest
from lesson_helpers import ScriptedDialogs, stepper_registry
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QFont, QMouseEvent
from PySide6.QtWidgets import QApplication, QLabel

from gradviz.core.panel_info import Presenter
from gradviz.lesson.scenes import AddSceneCommand, capture_scene
from gradviz.ui.panels.base import QtPanel
from gradviz.ui.registry import PanelSpec
from gradviz.ui.render import grab, image_to_array
from gradviz.ui.window_common import settle


@pytest.fixture
def lecture(make_window, qtbot):
    """A window with three scenes: the chapter map (w = 1), the stepper (w = 2), the map
    again (w = 3)."""
    window = make_window(reg=stepper_registry())
    window.lessons.dialogs = ScriptedDialogs()
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    model = window.model
    scenes = model["scenes"]
    for w, panels, caption in ((1.0, ["chapter_map"], "First: the map"),
                               (2.0, ["stepper"], "Second: three steps"),
                               (3.0, ["chapter_map", "stepper"], "Third: both")):
        model["mininet"].w = w
        AddSceneCommand(scenes, capture_scene(model, panels, caption)).do()
    model["mininet"].w = 0.5
    window.activateWindow()
    qtbot.waitActive(window)
    yield window
    window.presentation.stop()


def _key(qtbot, window, key):
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, key)
    settle()


def test_f5_enters_and_esc_leaves(lecture, qtbot):
    w = lecture
    font_before = QApplication.font().pointSizeF()
    _key(qtbot, w, Qt.Key.Key_F5)
    p = w.presentation
    assert p.active
    assert not w.menuBar().isVisible() and not w.statusBar().isVisible()
    assert w.isFullScreen()
    assert QApplication.font().pointSizeF() == pytest.approx(font_before * p.scale)
    assert p.caption.text() == "First: the map" and p.caption_dock.isVisible()
    assert w.model["mininet"].w == 1.0
    assert not w.docks["stepper"].isVisible() and w.docks["chapter_map"].isVisible()
    _key(qtbot, w, Qt.Key.Key_Escape)
    assert not p.active
    qtbot.waitUntil(lambda: w.menuBar().isVisible())
    assert QApplication.font().pointSizeF() == pytest.approx(font_before)
    assert not w.isFullScreen()


def test_clicker_walks_steps_then_scenes(lecture, qtbot):
    w = lecture
    _key(qtbot, w, Qt.Key.Key_F5)
    stepper = w.panel("stepper")
    seen = []
    for key in [Qt.Key.Key_PageDown] * 4 + [Qt.Key.Key_Right] + [Qt.Key.Key_PageUp] * 2:
        _key(qtbot, w, key)
        seen.append((w.model["scenes"].current, stepper.position, w.model["mininet"].w))
    assert seen == [
        (1, 0, 2.0),  # next scene: the stepper
        (1, 1, 2.0),  # its steps
        (1, 2, 2.0),
        (2, 2, 3.0),  # steps used up: next scene
        (2, 2, 3.0),  # last scene, stepper at its end: nothing more
        (2, 1, 3.0),  # back: the stepper's steps first
        (2, 0, 3.0),
    ]
    assert w.presentation.caption.text() == "Third: both"
    assert w.docks["stepper"].isVisible() and w.docks["chapter_map"].isVisible()
    assert not w.docks["scenes"].isVisible()


def test_blank_screen_and_no_single_keys_while_typing(lecture, qtbot):
    w = lecture
    _key(qtbot, w, Qt.Key.Key_F5)
    _key(qtbot, w, Qt.Key.Key_B)
    assert w.presentation.blanked and w.presentation.blank.isVisible()
    _key(qtbot, w, Qt.Key.Key_PageDown)  # nothing moves behind a blank screen
    assert w.model["scenes"].current == 0
    _key(qtbot, w, Qt.Key.Key_Period)
    assert not w.presentation.blanked
    _key(qtbot, w, Qt.Key.Key_PageDown)
    stepper = w.panel("stepper")
    stepper.field.setFocus()
    qtbot.waitUntil(stepper.field.hasFocus)
    for key in (Qt.Key.Key_B, Qt.Key.Key_C, Qt.Key.Key_Period, Qt.Key.Key_PageDown,
                Qt.Key.Key_Escape):
        qtbot.keyClick(stepper.field, key)
    assert not w.presentation.blanked and w.presentation.active
    assert stepper.position == 0 and w.model["scenes"].current == 1
    assert stepper.field.text() == "bc."


def _magenta_pixels(image) -> int:
    arr = image_to_array(image)[..., :3].astype(int)
    return int(((arr[..., 0] > 200) & (arr[..., 1] < 60) & (arr[..., 2] > 90)).sum())


def _drag(widget, points):
    def send(kind, p, buttons):
        event = QMouseEvent(kind, QPointF(p), QPointF(widget.mapToGlobal(p)),
                            Qt.MouseButton.LeftButton, buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(widget, event)

    send(QEvent.Type.MouseButtonPress, points[0], Qt.MouseButton.LeftButton)
    for p in points[1:]:
        send(QEvent.Type.MouseMove, p, Qt.MouseButton.LeftButton)
    send(QEvent.Type.MouseButtonRelease, points[-1], Qt.MouseButton.NoButton)


def test_pen_draws_over_panels_and_clears(lecture, qtbot):
    w = lecture
    _key(qtbot, w, Qt.Key.Key_F5)
    settle(100)
    pen = w.presentation.pen
    assert not pen.pen_enabled
    before = _magenta_pixels(grab(w))
    _key(qtbot, w, Qt.Key.Key_P)
    assert pen.pen_enabled
    _drag(pen, [QPointF(200 + 10 * i, 300 + 4 * i) for i in range(40)])
    settle(50)
    drawn = _magenta_pixels(grab(w))
    assert drawn > before + 400, (before, drawn)
    _key(qtbot, w, Qt.Key.Key_C)
    settle(50)
    assert _magenta_pixels(grab(w)) <= before + 10
    pen.add_stroke([QPointF(100, 100), QPointF(400, 400)])
    settle(20)
    assert _magenta_pixels(grab(w)) > before + 200
    _key(qtbot, w, Qt.Key.Key_P)  # pen off: the scene change clears the drawing
    _key(qtbot, w, Qt.Key.Key_PageDown)
    settle(50)
    assert _magenta_pixels(grab(w)) <= before + 10


def test_scale_reaches_plots_and_comes_back(lecture, qtbot):
    import pyqtgraph as pg

    w = lecture
    plot = pg.PlotWidget()
    curve = plot.plot(np.arange(5.0), pen=pg.mkPen("r", width=2))
    w.panel("stepper").body_layout.addWidget(plot)
    code = QLabel("x.grad")
    font = QFont("monospace")
    font.setPointSizeF(10.0)
    code.setFont(font)  # a font of its own: the application font does not reach it
    w.panel("stepper").body_layout.addWidget(code)
    w.presentation.set_scale(2.0)
    _key(qtbot, w, Qt.Key.Key_F5)
    _key(qtbot, w, Qt.Key.Key_PageDown)
    assert curve.opts["pen"].widthF() == pytest.approx(4.0)
    assert code.font().pointSizeF() == pytest.approx(20.0)
    _key(qtbot, w, Qt.Key.Key_Escape)
    assert curve.opts["pen"].widthF() == pytest.approx(2.0)
    assert code.font().pointSizeF() == pytest.approx(10.0)


def test_saving_while_presenting_keeps_the_normal_layout(lecture, qtbot, tmp_path):
    w = lecture
    normal = bytes(w.saveState(1))
    _key(qtbot, w, Qt.Key.Key_F5)
    assert w.lessons.save_as(tmp_path / "p.gradviz")
    from gradviz.lesson import open_lesson

    assert open_lesson(tmp_path / "p.gradviz", lambda: __import__(
        "gradviz.app", fromlist=["build_model"]).build_model()).layout == normal


def test_walking_through_scenes_is_not_an_edit(lecture, qtbot, tmp_path):
    w = lecture
    w.lessons.go_to_scene(0)
    assert w.lessons.save_as(tmp_path / "walk.gradviz")
    _key(qtbot, w, Qt.Key.Key_F5)
    _key(qtbot, w, Qt.Key.Key_PageDown)  # scene 2
    assert w.model["mininet"].w == 2.0
    assert not w.lessons.is_modified()
    w.model["mininet"].b = 0.75  # a change on top of the scene is an edit
    assert w.lessons.is_modified()
    w.model["mininet"].b = 0.0
    assert not w.lessons.is_modified()


def test_re_entering_keeps_live_changes(lecture, qtbot):
    w = lecture
    _key(qtbot, w, Qt.Key.Key_F5)
    _key(qtbot, w, Qt.Key.Key_PageDown)  # scene 2: w = 2
    w.model["mininet"].b = 0.5  # the lecturer tries something live
    _key(qtbot, w, Qt.Key.Key_Escape)
    _key(qtbot, w, Qt.Key.Key_F5)
    assert w.model["scenes"].current == 1 and w.model["mininet"].b == 0.5
    assert w.presentation.caption.text() == "Second: three steps"
    assert w.docks["stepper"].isVisible() and not w.docks["chapter_map"].isVisible()


class SectionsPanel(QtPanel):
    """A panel built from named sections, as real panels are: a plot and stepping controls to
    show, code to fold, and settings that are neither (secondary)."""

    explainer = "Sections for the presenter layout."

    def __init__(self, ctx):
        super().__init__(ctx)
        self.parts = {}
        for name in ("plot", "steps", "settings", "code"):
            section = QLabel(f"{name} section")
            section.setObjectName(f"section-{name}")
            self.body_layout.addWidget(section)
            self.parts[name] = section


SECTIONS_PRESENTER = Presenter(show=("plot", "steps"), fold=("code",))


def sections_registry():
    reg = stepper_registry()
    reg.register(PanelSpec("sections", "Sections", SectionsPanel, presenter=SECTIONS_PRESENTER))
    return reg


@pytest.fixture
def sections_window(make_window, qtbot):
    window = make_window(reg=sections_registry())
    window.lessons.dialogs = ScriptedDialogs()
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    scenes = window.model["scenes"]
    for panels, caption in ((["sections"], ""),
                            (["chapter_map", "stepper", "sections"], "Three at once")):
        AddSceneCommand(scenes, capture_scene(window.model, panels, caption)).do()
    window.activateWindow()
    qtbot.waitActive(window)
    yield window
    window.presentation.stop()


def test_scale_menu_offers_one_to_three(lecture):
    assert sorted(lecture.scale_actions) == [1.0, 1.5, 2.0, 2.5, 3.0]


def test_presenter_layout_folds_declared_sections_and_restores_them(sections_window, qtbot):
    w = sections_window
    _key(qtbot, w, Qt.Key.Key_F5)
    panel = w.panel("sections")
    settle(50)
    visible = {name: part.isVisible() for name, part in panel.parts.items()}
    assert visible == {"plot": True, "steps": True, "settings": True, "code": False}
    assert not panel.header.isVisible()
    # The scene has no caption: the panel's explainer becomes it.
    assert w.presentation.caption.text() == SectionsPanel.explainer
    toggle = panel.fold_strip.buttons["code"]
    assert panel.fold_strip.isVisible() and toggle.text() == "Code"
    toggle.click()
    assert panel.parts["code"].isVisible()
    _key(qtbot, w, Qt.Key.Key_Escape)
    settle(50)
    assert all(part.isVisible() for part in panel.parts.values())
    assert panel.header.isVisible() and not panel.fold_strip.isVisible()


def test_a_panel_that_does_not_fit_folds_secondary_sections_and_says_so(sections_window, qtbot):
    w = sections_window
    panel = w.panel("sections")
    panel.parts["settings"].setMinimumHeight(3000)  # far taller than any screen
    _key(qtbot, w, Qt.Key.Key_F5)
    settle(50)
    p = w.presentation
    assert not panel.parts["settings"].isVisible()
    assert panel.parts["plot"].isVisible() and panel.parts["steps"].isVisible()
    assert p.hidden_note == "Sections: Settings"
    status = p.caption_box.status
    assert status.isVisible() and "Sections: Settings" in status.text()
    scroll = w.docks["sections"].widget()
    assert scroll.verticalScrollBar().maximum() == 0
    panel.parts["settings"].setMinimumHeight(0)
    p.set_scale(1.0)  # a new scale fits again from the start: the section comes back
    settle(50)
    assert panel.parts["settings"].isVisible() and p.hidden_note == ""


def test_three_panels_are_laid_out_in_a_grid(sections_window, qtbot):
    w = sections_window
    _key(qtbot, w, Qt.Key.Key_F5)
    _key(qtbot, w, Qt.Key.Key_PageDown)
    settle(50)
    docks = [w.docks[n] for n in ("chapter_map", "stepper", "sections")]
    assert all(d.isVisible() for d in docks)
    first, second, third = (d.geometry() for d in docks)
    assert first.top() == second.top() and first.right() < second.left()  # one row of two
    assert third.top() > first.bottom()  # the third below them
    assert not w.docks["scenes"].isVisible()


def test_caption_wraps_shrinks_and_is_never_cut(lecture, qtbot):
    w = lecture
    w.presentation.set_scale(1.5)
    _key(qtbot, w, Qt.Key.Key_F5)
    p = w.presentation
    long_text = ("The chain rule: each link only knows its own slope; the total is their "
                 "product, and autograd multiplies them for you. ") * 2
    p._set_caption(long_text)
    settle(50)
    label = p.caption
    full = QFont(QApplication.font())
    assert label.font().pointSizeF() < full.pointSizeF() * 1.6  # shrunk from its full size
    assert label.height() >= label.heightForWidth(label.width())  # never cut
    p._set_caption("Short.")
    settle(50)
    assert label.font().pointSizeF() == pytest.approx(full.pointSizeF() * 1.6)
    assert label.height() >= label.heightForWidth(label.width())


def test_first_start_fits_the_screen(make_window, qtbot):
    w = make_window()
    room = w.screen().availableGeometry()
    assert w.width() <= room.width() and w.height() <= room.height()
    w.fit_to_screen(room.width() * 2, room.height() * 2)  # a size saved on a larger screen
    w.show()
    qtbot.waitExposed(w)
    frame = w.frameGeometry()
    assert frame.width() <= room.width() and frame.height() <= room.height()
    assert room.contains(w.geometry())


def test_a_styled_label_gets_its_font_back_after_presenting(lecture, qtbot):
    w = lecture
    label = QLabel("Press Step")
    label.setStyleSheet("color: #1B1B1B;")  # as panels colour their status lines
    w.panel("stepper").body_layout.addWidget(label)
    before = label.font().pointSizeF()
    w.presentation.set_scale(2.0)
    _key(qtbot, w, Qt.Key.Key_F5)
    _key(qtbot, w, Qt.Key.Key_PageDown)
    label.setStyleSheet("color: #0072B2;")  # restyled while presenting
    settle(20)
    assert label.font().pointSizeF() == pytest.approx(before * 2.0)
    _key(qtbot, w, Qt.Key.Key_Escape)
    settle(20)
    assert label.font().pointSizeF() == pytest.approx(before)
