"""Work too slow for the GUI thread (laying out a large view) in one worker thread, with
progress and cancel; results come back to the GUI thread as queued Qt signals."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

from gradviz.graph.trace_layout import LayoutCancelled

#: A job takes a progress callback (fraction done → False to stop) and returns its result.
Job = Callable[[Callable[[float], bool]], Any]


class QtJobRunner(QObject):
    """Runs one job at a time; a new job cancels the one before. Every signal carries the
    job's ticket, so a late result of a replaced job is recognised and dropped.

    Signals are emitted from the worker thread; connected to slots of GUI objects they are
    queued to the GUI thread by Qt, so nothing here touches a widget.
    """

    progressed = Signal(int, float)
    finished = Signal(int, object)
    failed = Signal(int, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gradviz-layout")
        self._stop = threading.Event()
        self.ticket = 0

    def submit(self, job: Job) -> int:
        """Start ``job`` (after cancelling the running one); returns its ticket."""
        self.cancel()
        self._stop = stop = threading.Event()
        self.ticket += 1
        ticket = self.ticket

        def progress(done: float) -> bool:
            self.progressed.emit(ticket, float(done))
            return not stop.is_set()

        def work() -> None:
            try:
                result = job(progress)
            except LayoutCancelled:
                self.failed.emit(ticket, "cancelled")
            except Exception as exc:  # reported in the panel, never raised into Qt
                self.failed.emit(ticket, f"{type(exc).__name__}: {exc}")
            else:
                self.finished.emit(ticket, result)

        self._pool.submit(work)
        return ticket

    def cancel(self) -> None:
        self._stop.set()

    def shutdown(self) -> None:
        """Cancel and wait for the worker (the job stops at its next progress report)."""
        self.cancel()
        self._pool.shutdown(wait=True, cancel_futures=True)
