"""Handouts: every scene exported at a chosen size as PNG, and a PDF with the captions."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from lesson_helpers import ScriptedDialogs
from PySide6.QtGui import QImage

from gradviz.core.resources import resource_path
from gradviz.lesson.scenes import AddSceneCommand, capture_scene
from gradviz.ui.handouts import HandoutError, export_scenes, parse_size
from gradviz.ui.render import picture_stats


@pytest.fixture
def two_scenes(make_window, qtbot):
    window = make_window()
    window.lessons.dialogs = ScriptedDialogs()
    window.resize(900, 600)
    window.show()
    qtbot.waitExposed(window)
    model = window.model
    for panels, caption in ((["tangent"], "One: the tangent"), (["chain"], "Two: the chain")):
        AddSceneCommand(model["scenes"], capture_scene(model, panels, caption)).do()
    return window


def test_scenes_are_written_at_the_chosen_size_whatever_the_window(two_scenes, tmp_path):
    result = export_scenes(two_scenes, tmp_path / "out", (1280, 720), 1.5, tmp_path / "h.pdf")
    assert [p.name for p in result.pictures] == ["scene-01.png", "scene-02.png"]
    for path in result.pictures:
        image = QImage(str(path))
        assert (image.width(), image.height()) == (1280, 720)
        assert not picture_stats(image).blank
    pdf = (tmp_path / "h.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 2  # one page per scene
    assert not two_scenes.presentation.active  # the window is back as it was


def test_a_lesson_without_scenes_is_refused_plainly(make_window, tmp_path):
    window = make_window()
    with pytest.raises(HandoutError, match="no scenes"):
        export_scenes(window, tmp_path)


@pytest.mark.parametrize("text, ok", [("1920x1080", (1920, 1080)), ("1280×720", (1280, 720)),
                                      ("12x10", None), ("big", None), ("1920x", None)])
def test_sizes_are_checked(text, ok):
    if ok:
        assert parse_size(text) == ok
    else:
        with pytest.raises(ValueError):
            parse_size(text)


def test_the_command_line_exports_one_scene_of_a_lesson(tmp_path):
    tour = resource_path("lessons", "why-derivatives.gradviz")
    out = subprocess.run([sys.executable, "-m", "gradviz", str(tour), "--scene", "3",
                          "--export-scenes", str(tmp_path), "--size", "640x360", "--scale", "1",
                          "--pdf", str(tmp_path / "tour.pdf")],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr + out.stdout
    pictures = sorted(Path(tmp_path).glob("scene-*.png"))
    assert [p.name for p in pictures] == ["scene-03.png"]
    assert QImage(str(pictures[0])).width() == 640
    assert (tmp_path / "tour.pdf").read_bytes().startswith(b"%PDF")


def test_bad_export_options_exit_2_with_a_message(tmp_path):
    tour = resource_path("lessons", "why-derivatives.gradviz")
    out = subprocess.run([sys.executable, "-m", "gradviz", str(tour), "--export-scenes",
                          str(tmp_path), "--pdf", str(tmp_path / "x.png")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "--pdf writes PDF" in out.stderr


def test_the_file_menu_dialog_exports(two_scenes, tmp_path):
    from gradviz.ui.handouts_dialog import QtHandoutDialog

    assert two_scenes.action_export_scenes in two_scenes.file_menu.actions()
    dialog = QtHandoutDialog(two_scenes)
    dialog.folder.setText(str(tmp_path / "menu"))
    dialog.size.setCurrentIndex(1)  # 1280 × 720
    assert dialog.run_export()
    assert (tmp_path / "menu" / "scene-02.png").is_file()
    assert (tmp_path / "menu" / "handout.pdf").is_file()
    dialog.deleteLater()
