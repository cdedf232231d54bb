"""Slots that never let an exception reach the Qt event loop."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

log = logging.getLogger("gradviz.ui.panels.traced")


def guarded(slot: Callable) -> Callable:
    """A slot whose unexpected exception is logged and shown in the panel, never raised into
    the event loop."""
    @wraps(slot)
    def run(self, *args: Any) -> Any:
        try:
            return slot(self, *args)
        except Exception as exc:
            log.exception("traced panel: %s failed", slot.__name__)
            self.controls.show_error(f"Something went wrong: {type(exc).__name__}: {exc}")
            return None
    return run
