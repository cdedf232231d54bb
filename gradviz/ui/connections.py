"""Views' model (psygnal) connections: disconnecting them in one go, and connecting a
sub-model's events so that slots run on the GUI thread even for events fired elsewhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal


def disconnect_all(*lists: list[tuple[Any, Callable]]) -> None:
    """Disconnect every ``(signal, slot)`` pair of each list and empty the lists; pairs already
    gone (or whose Qt side was deleted) are skipped."""
    for connections in lists:
        for signal, slot in connections:
            try:
                signal.disconnect(slot)
            except (ValueError, RuntimeError, TypeError):
                pass
        connections.clear()


class QtGuiThreadRelay(QObject):
    """Carries a model signal that may fire on another thread (a sub-model's
    ``thread_events``, see :class:`~gradviz.core.model.SubModel`) to a slot on the thread this
    relay lives on (the GUI's): the psygnal signal calls :meth:`fire`, Qt queues the call.

    Parameters
    ----------
    slot
        Called with no arguments, always on this relay's thread.
    parent
        Owns the relay (its thread is the one the slot runs on).
    """

    fired = Signal()

    def __init__(self, slot: Callable[[], Any], parent: QObject) -> None:
        super().__init__(parent)
        self._slot = slot
        # A bound method of this QObject: Qt delivers it on this object's thread.
        self.fired.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def _deliver(self) -> None:
        self._slot()

    def fire(self, *_: Any) -> None:
        """Connect the model signal here; safe on any thread (only emits a Qt signal)."""
        try:
            self.fired.emit()
        except RuntimeError:  # the relay was deleted with its window: nobody is listening
            pass


def connect_model_events(events: Any, slot: Callable[..., Any], owner: QObject,
                         thread_events: frozenset[str] | set[str] = frozenset()
                         ) -> list[tuple[Any, Callable]]:
    """Connect every signal of a sub-model's psygnal group to ``slot``; those named in
    ``thread_events`` through a :class:`QtGuiThreadRelay`, so ``slot`` only ever runs on
    ``owner``'s thread. Returns the ``(signal, callable)`` pairs for :func:`disconnect_all`."""
    from psygnal import SignalInstance

    if hasattr(events, "signals"):
        signals = dict(events.signals)
    else:
        signals = {n: s for n, s in vars(events).items() if isinstance(s, SignalInstance)}
    relay = getattr(events, "all", None)
    if relay is not None and not thread_events:
        relay.connect(slot)
        return [(relay, slot)]
    pairs: list[tuple[Any, Callable]] = []
    for name, signal in signals.items():
        target = QtGuiThreadRelay(slot, owner).fire if name in thread_events else slot
        signal.connect(target)
        pairs.append((signal, target))
    return pairs
