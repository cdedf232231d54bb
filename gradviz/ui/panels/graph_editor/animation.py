"""Playing a run's schedules: forward (nodes light up in order), then backward (a pulse travels
back along each edge in the model's order).

The player only moves a position through the model's schedules; what each frame shows is worded
by :mod:`.display`. A ``QTimeLine`` moves the pulse along ``path().pointAtPercent()``.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimeLine, QTimer, Signal

from gradviz.ui.panels.graph_editor.display import BACKWARD, Frame

#: Time per frame at speed 1: a node lighting up, a pulse crossing an edge.
FORWARD_MS = 650
BACKWARD_MS = 1100
SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0)


class Player(QObject):
    """Position in a list of frames, with play/pause/step/back/restart and a speed.

    ``pos`` is None when the canvas shows the whole finished run, -1 before the first frame,
    else the index of the current frame. Signals: ``moved(pos)`` after every change of position,
    ``pulse(t)`` while the current backward frame's pulse travels (t from 0 to 1),
    ``playing_changed(bool)``.
    """

    moved = Signal(object)
    pulse = Signal(float)
    playing_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.frames: list[Frame] = []
        self.pos: int | None = None
        self.speed = 1.0
        self.playing = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._advance)
        self.timeline = QTimeLine(BACKWARD_MS, self)
        self.timeline.setUpdateInterval(16)
        self.timeline.valueChanged.connect(self.pulse.emit)

    # -- frames ----------------------------------------------------------------------------
    def load(self, frames: list[Frame], start: int | None = None) -> None:
        """New schedules (a new run): show them finished, or from ``start``."""
        self.stop()
        self.frames = list(frames)
        self.pos = start
        self.moved.emit(self.pos)

    def current(self) -> Frame | None:
        if self.pos is None or self.pos < 0 or self.pos >= len(self.frames):
            return None
        return self.frames[self.pos]

    def first_backward(self) -> int | None:
        for i, f in enumerate(self.frames):
            if f.phase == BACKWARD:
                return i
        return None

    # -- controls --------------------------------------------------------------------------
    def can_step(self) -> bool:
        return bool(self.frames)

    def step(self, direction: int) -> bool:
        """One frame forward (+1) or back (-1). From the finished view, forward starts again at
        the first frame and back goes to the last-but-one, so a clicker always does something."""
        if not self.frames:
            return False
        self.pause()
        n = len(self.frames)
        if self.pos is None:
            new = 0 if direction > 0 else n - 2
        else:
            new = self.pos + (1 if direction > 0 else -1)
        if new >= n:
            new = 0
        if new < -1:
            return False
        self._go(new, animate=direction > 0)
        return True

    def play(self) -> None:
        if not self.frames:
            return
        if self.pos is None or self.pos >= len(self.frames) - 1:
            self.pos = -1
            self.moved.emit(self.pos)
        self.playing = True
        self.playing_changed.emit(True)
        self._schedule(250)

    def pause(self) -> None:
        self._timer.stop()
        if self.playing:
            self.playing = False
            self.playing_changed.emit(False)

    def stop(self) -> None:
        self.pause()
        self.timeline.stop()

    def toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def restart(self) -> None:
        """Back to before the first frame (nothing computed yet)."""
        self.stop()
        if self.frames:
            self._go(-1, animate=False)

    def show_all(self) -> None:
        self.stop()
        self.pos = None
        self.moved.emit(None)

    def set_speed(self, speed: float) -> None:
        self.speed = max(0.05, float(speed))

    def frame_ms(self, frame: Frame | None) -> int:
        base = BACKWARD_MS if frame is not None and frame.phase == BACKWARD else FORWARD_MS
        return max(16, round(base / self.speed))

    # -- internals -------------------------------------------------------------------------
    def _go(self, pos: int, animate: bool) -> None:
        self.timeline.stop()
        self.pos = pos
        self.moved.emit(pos)
        frame = self.current()
        if frame is not None and frame.phase == BACKWARD:
            if animate:
                self.timeline.setDuration(max(16, round(self.frame_ms(frame) * 0.8)))
                self.timeline.setCurrentTime(0)
                self.timeline.start()
            else:
                self.pulse.emit(1.0)

    def _schedule(self, ms: int) -> None:
        self._timer.start(ms)

    def _advance(self) -> None:
        if not self.playing:
            return
        nxt = (-1 if self.pos is None else self.pos) + 1
        if nxt >= len(self.frames):
            self.pause()
            self.timeline.stop()
            self.pos = None
            self.moved.emit(None)
            return
        self._go(nxt, animate=True)
        self._schedule(self.frame_ms(self.current()))
