"""Disconnecting a view's model (psygnal) connections in one go."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def disconnect_all(connections: list[tuple[Any, Callable]]) -> None:
    """Disconnect every ``(signal, slot)`` pair and empty the list; pairs already gone (or whose
    Qt side was deleted) are skipped."""
    for signal, slot in connections:
        try:
            signal.disconnect(slot)
        except (ValueError, RuntimeError, TypeError):
            pass
    connections.clear()
