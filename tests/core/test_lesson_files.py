"""Atomic saving: a save that fails half-way leaves the previous file intact."""

from __future__ import annotations

import errno
import os

import pytest

from gradviz.app import build_model
from gradviz.lesson import Lesson, LessonSaveError, open_lesson, save_lesson
from gradviz.lesson import files as files_module


def _lesson(w: float) -> Lesson:
    model = build_model()
    model["mininet"].w = w
    return Lesson(model=model.to_dict())


def _leftovers(directory):
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".part"))


@pytest.mark.parametrize("fail_in", ["fsync", "replace", "write"])
def test_a_save_that_fails_half_way_keeps_the_old_file(tmp_path, monkeypatch, fail_in):
    path = tmp_path / "lesson.gradviz"
    save_lesson(path, _lesson(1.5))
    old_bytes = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    if fail_in == "write":
        real_fdopen = os.fdopen

        class HalfWriter:
            def __init__(self, f):
                self.f = f

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.f.close()

            def write(self, data):
                self.f.write(data[: len(data) // 2])
                self.f.flush()
                boom()

        monkeypatch.setattr(files_module.os, "fdopen", lambda fd, mode: HalfWriter(
            real_fdopen(fd, mode)))
    else:
        monkeypatch.setattr(files_module.os, fail_in, boom)
    with pytest.raises(LessonSaveError, match="disk is full.*previous file is unchanged"):
        save_lesson(path, _lesson(-3.0))
    monkeypatch.undo()
    assert path.read_bytes() == old_bytes
    assert open_lesson(path, build_model).model["models"]["mininet"]["state"]["w"] == 1.5
    assert _leftovers(tmp_path) == []


def test_saving_into_a_missing_folder_says_so(tmp_path):
    with pytest.raises(LessonSaveError, match="Could not save x.gradviz"):
        save_lesson(tmp_path / "no" / "such" / "x.gradviz", _lesson(1.0))


def test_a_state_that_is_not_json_is_refused_before_writing(tmp_path):
    path = tmp_path / "l.gradviz"
    save_lesson(path, _lesson(2.0))
    before = path.read_bytes()
    bad = _lesson(1.0)
    bad.model["models"]["mininet"]["state"]["w"] = float("nan")
    with pytest.raises(LessonSaveError, match="cannot be saved"):
        save_lesson(path, bad)
    assert path.read_bytes() == before


def test_saving_keeps_permissions_and_writes_through_symlinks(tmp_path):
    real = tmp_path / "real.gradviz"
    save_lesson(real, _lesson(1.0))
    os.chmod(real, 0o640)
    link = tmp_path / "link.gradviz"
    link.symlink_to(real)
    save_lesson(link, _lesson(4.0))
    assert link.is_symlink()
    assert (real.stat().st_mode & 0o777) == 0o640
    assert open_lesson(real, build_model).model["models"]["mininet"]["state"]["w"] == 4.0
