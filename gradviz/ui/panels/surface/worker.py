"""A one-job-at-a-time worker thread for the surface panel's torch work (network-loss grids and
races), with progress, cancel and results delivered on the GUI thread through Qt signals."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

from gradviz.core.landscape_source import Cancelled

Job = Callable[[Callable[[float], None], Callable[[], bool]], Any]


class LandscapeWorker(QObject):
    """Runs ``job(progress, cancelled)`` on one background thread.

    A new job asks the running one to stop (it checks ``cancelled()`` between pieces). Signals
    carry the job's number, so a late result of a superseded job is recognised and dropped:
    ``progressed(job, fraction)``, ``finished(job, result)``, ``failed(job, message)`` (an empty
    message: the job was cancelled). Emitted from the worker thread, they are queued to the
    receivers' (GUI) thread.
    """

    progressed = Signal(int, float)
    finished = Signal(int, object)
    failed = Signal(int, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gradviz-landscape")
        self._job = 0
        self._stop = threading.Event()
        self._future: Future | None = None
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

        def run() -> None:
            try:
                result = job(lambda f: self.progressed.emit(number, float(f)), stop.is_set)
            except Cancelled:
                self.failed.emit(number, "")
            except Exception as exc:  # reported in the panel, never raised into Qt
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
        except TimeoutError:
            return False
        return True

    def shutdown(self) -> None:
        self.cancel()
        self._pool.shutdown(wait=True, cancel_futures=True)
