from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLineEdit

from gradviz.core.commands import SetFieldCommand
from gradviz.ui.panels.base import QtPanel
from gradviz.ui.registry import PanelRegistry, PanelSpec
from gradviz.ui.window_common import LAYOUT_VERSION, settle


def test_every_registered_panel_has_a_dock_and_a_view_toggle(window, registry):
    assert set(window.docks) == set(registry.names())
    toggles = {a.objectName() for a in window.view_menu.actions()}
    for name in registry.names():
        assert f"toggle-{name}" in toggles


def test_view_toggle_hides_and_shows_a_dock(window, qtbot):
    dock = window.docks["chapter_map"]
    dock.toggleViewAction().trigger()
    assert not dock.isVisible()
    dock.toggleViewAction().trigger()
    qtbot.waitUntil(dock.isVisible)


def test_undo_menu_names_the_command(window, app_model):
    net = app_model["mininet"]
    assert window.push(SetFieldCommand(net, "w", 2.0))
    assert net.w == 2.0
    assert window.action_undo.text() == "&Undo Set w = 2"
    window.action_undo.trigger()
    assert net.w == 0.5
    assert window.action_redo.text() == "&Redo Set w = 2"


def test_a_failing_command_is_dropped_and_reported(window, app_model):
    class Refused:
        label = "Connect x → x"

        def do(self):
            raise ValueError("that would close a cycle: x → x")

        def undo(self):
            raise AssertionError("never done, never undone")

    assert not window.push(Refused())
    assert window.undo_stack.count() == 0
    assert "cycle" in window.statusBar().currentMessage()


def test_layout_and_theme_survive_a_restart(make_window, tmp_path):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    first = make_window(settings)
    first.set_theme("dark")
    first.docks["chapter_map"].setFloating(True)
    first.close()
    second = make_window(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    assert second.theme.name == "dark"
    assert second.docks["chapter_map"].isFloating()
    second.reset_layout()
    assert not second.docks["chapter_map"].isFloating()


def test_corrupt_or_outdated_saved_layout_is_ignored(make_window, tmp_path):
    path = str(tmp_path / "bad.ini")
    s = QSettings(path, QSettings.Format.IniFormat)
    s.setValue("layout/version", LAYOUT_VERSION)
    s.setValue("layout/state", b"\x00\xffgarbage")
    s.setValue("layout/geometry", b"nonsense")
    s.setValue("ui/theme", "plaid")
    s.sync()
    window = make_window(QSettings(path, QSettings.Format.IniFormat))
    assert window.theme.name == "light"
    s.setValue("layout/version", LAYOUT_VERSION + 99)
    s.sync()
    make_window(QSettings(path, QSettings.Format.IniFormat))


class _Stepper(QtPanel):
    panel_name = "stepper"
    title = "Stepper"
    explainer = "Counts clicker steps."

    def __init__(self, ctx):
        super().__init__(ctx)
        self.position = 0
        self.field = QLineEdit()
        self.body_layout.addWidget(self.field)

    def can_step(self):
        return True

    def step(self, direction):
        self.position += direction
        return True


def _stepper_window(make_window, qtbot):
    reg = PanelRegistry()
    reg.register(PanelSpec("stepper", "Stepper", _Stepper))
    window = make_window(reg=reg)
    window.show()
    window.show_panel("stepper")
    window.activateWindow()
    qtbot.waitActive(window)
    settle(50)
    return window, window.panel("stepper")


def test_clicker_keys_step_the_panel(make_window, qtbot):
    window, panel = _stepper_window(make_window, qtbot)
    window.activateWindow()
    panel.setFocus()
    for key in (Qt.Key.Key_PageDown, Qt.Key.Key_PageDown, Qt.Key.Key_Right, Qt.Key.Key_PageUp):
        qtbot.keyClick(panel, key)
    assert panel.position == 2


def test_clicker_keys_do_nothing_while_typing(make_window, qtbot):
    window, panel = _stepper_window(make_window, qtbot)
    panel.field.setFocus()
    qtbot.waitUntil(panel.field.hasFocus)
    qtbot.keyClick(panel.field, Qt.Key.Key_PageDown)
    qtbot.keyClick(panel.field, Qt.Key.Key_Left)
    qtbot.keyClicks(panel.field, "f")
    assert panel.position == 0
    assert panel.field.text() == "f"


def test_chapter_map_buttons_open_registered_panels_only(window, registry):
    chapter = window.panel("chapter_map")
    for card in chapter.cards:
        assert card.button.isEnabled() == (card.section.panel in registry)


def test_about_names_every_version(window):
    text = window.about_text()
    for part in ("GradViz", "Python", "Qt", "torch", "pyqtgraph", "OpenGL"):
        assert part in text


def test_a_command_failing_half_way_is_rolled_back(window, app_model):
    net = app_model["mininet"]

    class HalfDone:
        label = "Set w and b"
        obj = net

        def do(self):
            net.w = 9.0
            raise RuntimeError("failed after changing w")

        def undo(self):
            pass

    assert not window.push(HalfDone())
    assert net.w == 0.5
    assert window.undo_stack.count() == 0
