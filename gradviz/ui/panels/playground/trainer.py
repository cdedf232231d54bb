"""Training in timer slices: each tick of a zero-interval timer makes updates for at most a few
milliseconds, then returns to the event loop, so the window keeps drawing; the views are redrawn
at a fixed rate, not after every update."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from gradviz.core.playground import PlaygroundModel
from gradviz.core.surfaces import one_thread

#: Milliseconds of training per slice: short enough that a slice plus a redraw stays in a frame.
SLICE_MS = 6.0
#: Views are redrawn this often while training (about 11 per second: above the 10 the eye needs
#: to see it learn, without spending the time training needs on drawing).
REDRAW_MS = 85.0


class QtTrainer(QObject):
    """Plays a Playground run: ``start``/``stop``; ``redraw`` is called at most every
    :data:`REDRAW_MS` while playing, ``stopped(message)`` when play ends. ``steps_per_second`` and ``redraws_per_second`` measure the
    last second of play."""

    def __init__(self, model: PlaygroundModel, redraw: Callable[[], None],
                 stopped: Callable[[str], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.redraw = redraw
        self.stopped = stopped
        self.timer = QTimer(self)
        self.timer.setInterval(0)
        self.timer.timeout.connect(self._tick)
        self.chunk = 1
        self._last_redraw = 0.0
        self._window: list[tuple[float, int, int]] = []  # (time, steps, redraws)
        self._redraws = 0
        self.steps_per_second = 0.0
        self.redraws_per_second = 0.0

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    def start(self) -> None:
        if not self.playing and not self.model.diverged:
            self._window = []
            self.timer.start()

    def stop(self) -> None:
        if self.playing:
            self.timer.stop()
            self.stopped(self.model.diverged)

    def _tick(self) -> None:
        # Batches of 10 are microseconds of work per op: torch's thread pool would spend more
        # waking threads than computing, and far more on a busy machine.
        with one_thread():
            self._train_slice()
        now = time.perf_counter()
        if (now - self._last_redraw) * 1000 >= REDRAW_MS:
            self._last_redraw = now
            self._redraws += 1
            self.redraw()
        self._measure(now)

    def _train_slice(self) -> None:
        start = time.perf_counter()
        deadline = start + SLICE_MS / 1000
        try:
            while time.perf_counter() < deadline:
                t = time.perf_counter()
                if self.model.step(self.chunk) < self.chunk:  # diverged: nothing more to learn
                    self.stop()
                    return
                per_step = (time.perf_counter() - t) / self.chunk
                # Chunks of about 2 ms: few Python round trips, a deadline kept within one.
                self.chunk = max(1, min(200, int(0.002 / max(per_step, 1e-7))))
        except Exception as exc:  # never let a slot raise into the event loop
            self.timer.stop()
            self.stopped(f"training stopped: {exc}")

    def _measure(self, now: float) -> None:
        self._window.append((now, self.model.steps, self._redraws))
        while self._window and now - self._window[0][0] > 1.0:
            self._window.pop(0)
        first = self._window[0]
        span = now - first[0]
        if span > 0.2:
            self.steps_per_second = (self.model.steps - first[1]) / span
            self.redraws_per_second = (self._redraws - first[2]) / span
