"""Reading and writing lesson files off the GUI thread.

A lesson holding a traced graph of thousands of nodes is megabytes of JSON: parsing and
validating it, or encoding and writing it, takes a few tenths of a second, which would freeze
the window (and a lecture's projector). The work runs in the app's job runner; the caller still
gets its answer in order (``save()`` returns once the file is written): a short job is simply
waited for, a longer one runs while a local event loop keeps the window painting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEventLoop, QObject

from gradviz.core.model import AppModel, collection_paused
from gradviz.ui.widgets.job_runner import QtJobRunner

#: Waited for without an event loop: a small lesson is read or written within this.
WAIT_S = 0.02


def precompute_states(model: AppModel) -> None:
    """For the worker, before saving: what sub-models can do ahead of ``to_dict`` (their
    ``precompute_state``, see :class:`~gradviz.core.model.SubModel`)."""
    for key in model.keys():
        getattr(model[key], "precompute_state", lambda: None)()


class LessonBusyError(RuntimeError):
    """A lesson file is already being read or written."""


class QtLessonWorker(QObject):
    """Runs one file job at a time on the job runner's thread.

    Parameters
    ----------
    parent
        Owns the worker (the lesson controller).
    status
        Shows a message while a long job runs (the window's status bar).
    """

    def __init__(self, parent: QObject, status: Callable[[str], None]) -> None:
        super().__init__(parent)
        self._status = status
        self.runner = QtJobRunner(self, "gradviz-lesson-file")
        self.busy = False

    def run(self, work: Callable[[], Any], message: str, keeps: bool = False) -> Any:
        """``work()`` on the worker thread; its result, or its exception raised here. The cyclic
        collector is paused meanwhile (see :func:`~gradviz.core.model.collection_paused`);
        ``keeps``: the result lives long (an opened lesson), so it is frozen out of its way.

        Raises
        ------
        LessonBusyError
            When another file job is still running (a click during a long save).
        """
        if self.busy:
            raise LessonBusyError("a lesson file is still being read or written")
        self.busy = True
        try:
            with collection_paused(freeze=keeps):
                return self._run(work, message)
        finally:
            self.busy = False

    def _run(self, work: Callable[[], Any], message: str) -> Any:
        outcome: list[tuple[bool, Any]] = []

        def job(progress: Callable[[float], bool], cancelled: Callable[[], bool]) -> None:
            try:
                outcome.append((True, work()))
            except Exception as exc:  # handed to the caller on its own thread
                outcome.append((False, exc))

        loop = QEventLoop()

        def done(number: int, *_: Any) -> None:
            if number == job_number:
                loop.quit()

        self.runner.finished.connect(done)
        self.runner.failed.connect(done)
        try:
            job_number = self.runner.submit(job)
            if not self.runner.wait(WAIT_S):
                self._status(message)
                if not outcome:  # else its "finished" is already queued, or not needed
                    loop.exec()
            self.runner.wait()
        finally:
            self.runner.finished.disconnect(done)
            self.runner.failed.disconnect(done)
        ok, value = outcome[0]
        if ok:
            return value
        raise value

    def shutdown(self) -> None:
        """Wait for the running job (a file half written is not left behind) and stop."""
        self.runner.shutdown()
