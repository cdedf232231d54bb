"""Opening and saving lesson files. Saving is atomic: the previous file stays intact until the
new one is completely on disk."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from gradviz.lesson.format import Lesson, ModelFactory, decode_lesson, encode_lesson
from gradviz.lesson.safe_json import LessonError, read_limited


class LessonSaveError(OSError):
    """Saving failed; the message says why, and any previous file is unchanged."""


def open_lesson(path: str | os.PathLike[str], model_factory: ModelFactory) -> Lesson:
    """Read and fully validate a lesson file; :class:`LessonError` says what is wrong."""
    p = Path(path)
    return decode_lesson(read_limited(p), model_factory, p.name)


def save_lesson(path: str | os.PathLike[str], lesson: Lesson) -> Path:
    """Write ``lesson`` atomically to ``path``; returns the path written."""
    try:
        data = encode_lesson(lesson)
    except LessonError as exc:
        raise LessonSaveError(str(exc)) from None
    return atomic_write(path, data)


def atomic_write(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write to a temporary file in the same directory, flush and fsync it, then rename it over
    ``path`` (``os.replace`` is atomic within one file system). On any failure the temporary
    file is removed and the old file is untouched."""
    target = Path(os.path.realpath(path))  # saving through a symlink updates its target
    directory = target.parent
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                        dir=directory)
    except OSError as exc:
        raise LessonSaveError(f"Could not save {target.name}: {_reason(exc)} "
                              f"(in {directory})") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise LessonSaveError(f"Could not save {target.name}: {_reason(exc)}; "
                                  "the previous file is unchanged") from None
        raise
    _fsync_directory(directory)
    return target


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return 0o644


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (best effort: not every platform can open a directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _reason(exc: OSError) -> str:
    import errno

    names = {errno.ENOSPC: "the disk is full", errno.EACCES: "permission denied",
             errno.EPERM: "permission denied", errno.EROFS: "the disk is read-only",
             errno.ENOENT: "the folder does not exist", errno.EDQUOT: "the disk quota is full"}
    return names.get(exc.errno, exc.strerror or str(exc))
