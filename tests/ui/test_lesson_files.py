"""The File menu on a real window: modified marker, Save/Discard/Cancel, open refusing bad files
without changing anything, failed saves, recent files, revert."""

from __future__ import annotations

import json

import pytest
from lesson_helpers import ScriptedDialogs
from PySide6.QtCore import QSettings

from gradviz.core.commands import SetFieldCommand
from gradviz.lesson import files as lesson_files
from gradviz.lesson import open_lesson
from gradviz.ui.lesson_controller import state_digest


@pytest.fixture
def win(window):
    window.lessons.dialogs = ScriptedDialogs()
    return window


def _title_modified(window) -> bool:
    return window.isWindowModified() and "[*]" in window.windowTitle()


def test_a_command_or_a_direct_model_change_marks_the_lesson_modified(win, qtbot, tmp_path):
    net = win.model["mininet"]
    assert not win.isWindowModified()
    assert win.push(SetFieldCommand(net, "w", 2.0))
    assert _title_modified(win)
    win.undo_stack.undo()
    qtbot.waitUntil(lambda: not win.isWindowModified())
    net.b = 0.25  # not a command (like optimizer settings or ball starts)
    qtbot.waitUntil(win.isWindowModified)
    assert win.lessons.save_as(tmp_path / "m")
    assert not win.isWindowModified()
    assert win.windowTitle().startswith("m.gradviz")
    net.b = 0.0
    qtbot.waitUntil(win.isWindowModified)
    net.b = 0.25  # back to the saved state: not modified any more
    qtbot.waitUntil(lambda: not win.isWindowModified())


def test_close_with_unsaved_changes_asks_and_cancel_keeps_everything(win, tmp_path):
    win.model["mininet"].w = 3.0
    win.lessons.dialogs = ScriptedDialogs(save_changes="cancel")
    assert not win.close()
    assert win.isVisible() and win.model["mininet"].w == 3.0
    assert win.lessons.dialogs.asked == ["save_changes:Untitled"]
    target = tmp_path / "closing.gradviz"
    win.lessons.dialogs = ScriptedDialogs(save_changes="save", save_path=str(target))
    assert win.close()
    assert open_lesson(target, _factory).model["models"]["mininet"]["state"]["w"] == 3.0


def test_discard_closes_without_saving(win, tmp_path):
    win.model["mininet"].w = 3.0
    win.lessons.dialogs = ScriptedDialogs(save_changes="discard", save_path=str(tmp_path / "x"))
    assert win.close()
    assert list(tmp_path.iterdir()) == []


def _factory():
    from gradviz.app import build_model

    return build_model()


def test_save_then_open_restores_state_theme_and_layout(win, tmp_path, qtbot):
    from core.test_lesson_roundtrip import _fill_structured, normalized, perturb_model

    net = win.model["mininet"]
    perturb_model(win.model)  # every registered sub-model away from its defaults
    _fill_structured(win.model)
    net.w, net.b = 1.75, -0.5
    win.set_theme("dark")
    win.docks["chapter_map"].hide()
    path = tmp_path / "lesson.gradviz"
    assert win.lessons.save_as(path)
    saved = normalized(win.model.to_dict())
    assert win.lessons.new()
    assert net.w == 0.5 and normalized(win.model.to_dict()) != saved
    win.set_theme("light")
    win.docks["chapter_map"].show()
    assert win.lessons.open(path)
    assert normalized(win.model.to_dict()) == saved
    assert win.theme.name == "dark"
    qtbot.waitUntil(lambda: not win.docks["chapter_map"].isVisible())
    assert not win.isWindowModified()
    assert win.lessons.recent_files()[0] == str(path.resolve())


def test_opening_with_unsaved_changes_asks_first(win, tmp_path):
    path = tmp_path / "a.gradviz"
    assert win.lessons.save_as(path)
    win.model["mininet"].w = 9.0
    win.lessons.dialogs = ScriptedDialogs(save_changes="cancel")
    assert not win.lessons.open(path)
    assert win.model["mininet"].w == 9.0
    win.lessons.dialogs = ScriptedDialogs(save_changes="discard")
    assert win.lessons.open(path)
    assert win.model["mininet"].w == 0.5


def _bad_files():
    from core.test_lesson_bad_files import CORPUS

    return CORPUS


def test_no_bad_file_changes_anything_that_is_open(win, tmp_path):
    good = tmp_path / "good.gradviz"
    win.model["mininet"].w = 1.5
    win.lessons.save_as(good)
    win.model["mininet"].b = -2.0  # unsaved work on top
    win.push(SetFieldCommand(win.model["mininet"], "x", 2.0))
    win.lessons.dialogs = ScriptedDialogs(save_changes="discard")

    def snapshot():
        return (state_digest(win.model), win.windowTitle(), win.isWindowModified(),
                win.lessons.path, win.undo_stack.count(), win.theme.name, bytes(win.saveState()))

    before = snapshot()
    for name, raw, message in _bad_files():
        bad = tmp_path / "bad.gradviz"
        bad.write_bytes(raw)
        assert not win.lessons.load(bad), name
        assert snapshot() == before, name
        assert message in win.lessons.dialogs.errors[-1][1], name
        assert message in win.statusBar().currentMessage(), name


def test_a_failed_save_says_so_and_keeps_the_old_file(win, tmp_path, monkeypatch):
    path = tmp_path / "keep.gradviz"
    win.model["mininet"].w = 1.0
    assert win.lessons.save_as(path)
    old = path.read_bytes()
    win.model["mininet"].w = 2.0

    def no_space(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(lesson_files.os, "replace", no_space)
    assert not win.lessons.save()
    assert "disk is full" in win.lessons.dialogs.errors[-1][1]
    assert path.read_bytes() == old
    assert win.lessons.is_modified()
    assert [p.name for p in tmp_path.iterdir()] == ["keep.gradviz"]


def test_revert_goes_back_to_the_saved_file(win, tmp_path):
    path = tmp_path / "r.gradviz"
    win.lessons.save_as(path)
    assert not win.lessons.action_revert.isEnabled() or win.lessons.is_modified()
    win.push(SetFieldCommand(win.model["mininet"], "w", 4.0))
    assert win.lessons.action_revert.isEnabled()
    assert win.lessons.revert()
    assert win.model["mininet"].w == 0.5 and not win.isWindowModified()


def test_recent_files_persist_in_settings(make_window, tmp_path):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    first = make_window(settings)
    first.lessons.dialogs = ScriptedDialogs()
    first.lessons.recovery = None  # no autosave into the user's data folder
    for name in "abc":
        first.lessons.save_as(tmp_path / name)
    assert [p.rsplit("/", 1)[-1] for p in first.lessons.recent_files()] == \
        ["c.gradviz", "b.gradviz", "a.gradviz"]
    first.lessons._fill_recent_menu()
    assert first.recent_menu.isEnabled()
    assert "c.gradviz" in first.recent_menu.actions()[0].text()


def test_the_saved_file_is_plain_json_with_the_layout(win, tmp_path):
    path = tmp_path / "j.gradviz"
    win.lessons.save_as(path)
    data = json.loads(path.read_text("utf-8"))
    assert data["theme"] == win.theme.name
    assert data["layout"]["qt_state"]
    # issue 15: every model holds a "traced" sub-model, written only when it holds a graph.
    assert set(data["model"]["models"]) == set(win.model.keys()) - {"traced"}


def test_help_opens_the_tour_as_an_untitled_copy(win):
    from gradviz.ui.lesson_menus import tour_path

    if not tour_path().is_file():
        pytest.skip("the tour is written by packaging/make_tour.py")
    win.action_tour.trigger()
    assert win.lessons.path is None
    assert len(win.model["scenes"]) >= 5
    assert not win.lessons.dialogs.errors


def test_a_recent_file_that_is_gone_is_forgotten(win, tmp_path):
    path = tmp_path / "gone.gradviz"
    win.lessons.save_as(path)
    assert str(path.resolve()) in win.lessons.recent_files()
    path.unlink()
    assert not win.lessons.open(str(path.resolve()))
    assert "no such file" in win.lessons.dialogs.errors[-1][1]
    assert str(path.resolve()) not in win.lessons.recent_files()
