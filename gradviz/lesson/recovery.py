"""Autosave copies and crash recovery.

Every running GradViz owns one *session* in the recovery directory (chosen by the caller, e.g.
the user's data directory): a lock file it holds for as long as it runs, and a recovery copy it
rewrites while there is unsaved work. A copy whose lock nobody holds belongs to a session that
ended without cleaning up — a crash — and is offered on the next start.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from gradviz.lesson.files import atomic_write, open_lesson
from gradviz.lesson.format import Lesson, ModelFactory, encode_lesson

_PREFIX = "session-"
_COPY = ".gradviz"
_LOCK = ".lock"


@dataclass(frozen=True)
class RecoveryEntry:
    """A recovery copy left by a session that did not end cleanly."""

    path: Path
    saved: float  # modification time, seconds since the epoch

    @property
    def session(self) -> str:
        return self.path.name[len(_PREFIX):-len(_COPY)]

    def describe(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(self.saved))


class RecoveryStore:
    """The recovery directory, as seen by one running session.

    Parameters
    ----------
    directory
        Where the copies live; created when first needed.
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.session = f"{os.getpid()}-{secrets.token_hex(4)}"
        self._lock_fd: int | None = None

    @property
    def copy_path(self) -> Path:
        return self.directory / f"{_PREFIX}{self.session}{_COPY}"

    @property
    def lock_path(self) -> Path:
        return self.directory / f"{_PREFIX}{self.session}{_LOCK}"

    # -- this session ------------------------------------------------------------------------
    def _ensure_lock(self) -> None:
        if self._lock_fd is not None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        _lock(fd)
        os.write(fd, str(os.getpid()).encode())
        self._lock_fd = fd

    def write(self, lesson: Lesson) -> Path:
        """Write (atomically) this session's recovery copy."""
        self._ensure_lock()
        return atomic_write(self.copy_path, encode_lesson(lesson))

    def clear(self) -> None:
        """Remove this session's copy (the work was saved or discarded)."""
        with contextlib.suppress(FileNotFoundError):
            self.copy_path.unlink()

    def close(self) -> None:
        """End the session cleanly: no copy, no lock left behind."""
        self.clear()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
            with contextlib.suppress(FileNotFoundError):
                self.lock_path.unlink()

    # -- other sessions ----------------------------------------------------------------------
    def pending(self) -> list[RecoveryEntry]:
        """Copies left by sessions that are no longer running, newest first."""
        if not self.directory.is_dir():
            return []
        found = []
        for copy_path in self.directory.glob(f"{_PREFIX}*{_COPY}"):
            if copy_path == self.copy_path or not copy_path.is_file():
                continue
            lock_path = copy_path.with_suffix(_LOCK)
            if _held_by_a_live_session(lock_path):
                continue
            with contextlib.suppress(OSError):
                found.append(RecoveryEntry(copy_path, copy_path.stat().st_mtime))
        return sorted(found, key=lambda e: e.saved, reverse=True)

    def load(self, entry: RecoveryEntry, model_factory: ModelFactory) -> Lesson:
        """Read and validate a recovery copy (it may itself be damaged: LessonError)."""
        return open_lesson(entry.path, model_factory)

    def discard(self, entry: RecoveryEntry) -> None:
        for path in (entry.path, entry.path.with_suffix(_LOCK)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


if sys.platform == "win32":  # pragma: no cover - Linux is the supported platform
    import msvcrt

    def _lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _held_by_a_live_session(lock_path: Path) -> bool:
        try:
            lock_path.unlink()  # Windows refuses to delete a file another process has open
        except FileNotFoundError:
            return False
        except OSError:
            return True
        return False
else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _held_by_a_live_session(lock_path: Path) -> bool:
        """The kernel drops a dead process's lock, even after kill -9: no stale PIDs."""
        try:
            fd = os.open(lock_path, os.O_RDONLY)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        finally:
            os.close(fd)
        return False
