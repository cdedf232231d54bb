"""One background job at a time, off the GUI thread, for work that can take seconds (a loss
landscape's grid, the layout of a traced graph with thousands of operations).

A job is ``job(progress, cancelled)``: it reports ``progress(fraction)`` (which returns False once
it should stop) and may poll ``cancelled()`` between pieces. A new job asks the running one to
stop. Every signal carries the job's number, so a late result of a superseded job is recognised
and dropped: ``progressed(job, fraction)``, ``finished(job, result)``, ``failed(job, message)``
(an empty message: the job was cancelled). They are emitted from the worker thread and queued by
Qt to the receivers' (GUI) thread, so nothing here touches a widget.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from PySide6.QtCore import QObject, Signal

Job = Callable[[Callable[[float], bool], Callable[[], bool]], Any]


class QtJobRunner(QObject):
    """Runs jobs on one worker thread; ``cancelled_errors`` are the exceptions by which a job
    says it stopped on request (reported as a cancel, not a failure)."""

    progressed = Signal(int, float)
    finished = Signal(int, object)
    failed = Signal(int, str)

    def __init__(self, parent: QObject | None = None, name: str = "gradviz-job",
                 cancelled_errors: tuple[type[BaseException], ...] = ()) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._cancelled_errors = cancelled_errors
        self._job = 0
        self._stop = threading.Event()
        self._future: Future | None = None
        #: What the caller says the running job is for (e.g. the cache key it will fill).
        self.tag: Any = None

    @property
    def job(self) -> int:
        """The number of the newest job."""
        return self._job

    def submit(self, job: Job, tag: Any = None) -> int:
        """Start ``job`` (after asking the running one to stop); returns its number."""
        self.cancel()
        self._job += 1
        number, stop = self._job, threading.Event()
        self._stop, self.tag = stop, tag

        def progress(fraction: float) -> bool:
            self.progressed.emit(number, float(fraction))
            return not stop.is_set()

        def run() -> None:
            try:
                result = job(progress, stop.is_set)
            except self._cancelled_errors:
                self.failed.emit(number, "")
            except Exception as exc:  # reported by the panel, never raised into Qt
                self.failed.emit(number, f"{type(exc).__name__}: {exc}")
            else:
                self.finished.emit(number, result)

        self._future = self._pool.submit(run)
        return number

    def cancel(self) -> None:
        """Ask the running job to stop at its next check."""
        self._stop.set()
        self.tag = None

    def busy(self) -> bool:
        return self._future is not None and not self._future.done()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the current job ends (tests and benchmarks); True if it did."""
        if self._future is None:
            return True
        try:
            self._future.result(timeout)
        except FutureTimeout:
            return False
        return True

    def shutdown(self) -> None:
        """Cancel and wait for the worker (the job stops at its next check)."""
        self.cancel()
        self._pool.shutdown(wait=True, cancel_futures=True)
