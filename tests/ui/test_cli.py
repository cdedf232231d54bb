"""The command line, run as a real process."""

import os
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtGui import QImage

from gradviz.ui.render import image_to_array, picture_stats


def gradviz(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "gradviz", *args], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ})


def test_version_and_list_panels():
    out = gradviz("--version")
    assert out.returncode == 0 and out.stdout.startswith("gradviz ")
    out = gradviz("--list-panels")
    assert out.returncode == 0 and "chapter_map" in out.stdout


@pytest.mark.parametrize("args, message", [
    (["--bogus"], "unrecognized arguments"),
    (["--panel", "chapter_map"], "--panel goes with --screenshot"),
    (["--screenshot", "x.jpg"], "ending in .png"),
    (["--screenshot", "x.png", "--panel", "nope"], "unknown panel 'nope'"),
    (["/no/such/lesson.gradviz"], "no such lesson file"),
])
def test_bad_arguments_exit_2_with_a_message(args, message):
    out = gradviz(*args)
    assert out.returncode == 2
    assert message in out.stderr


def test_screenshot_writes_a_real_picture(tmp_path):
    path = tmp_path / "window.png"
    out = gradviz("--screenshot", str(path))
    assert out.returncode == 0, out.stderr
    image = QImage(str(path))
    stats = picture_stats(image)
    assert stats.width == 1600 and not stats.blank
    # The chapter map's text is drawn: plenty of dark pixels on the light theme.
    arr = image_to_array(image)
    dark = np.mean(arr[..., :3].mean(axis=2) < 80)
    assert dark > 0.005


@pytest.mark.gl
def test_selftest_passes():
    out = gradviz("--selftest")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "selftest: all" in out.stdout and "OpenGL: sphere drawn" in out.stdout
