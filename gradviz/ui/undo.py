"""Qt's undo stack driving the Qt-free commands of ``gradviz.core.commands`` and ``gradviz.graph``.

A command has ``label``, ``do``/``undo`` (with or without a target argument: graph commands take
the graph) and, optionally, ``merge_key``/``merge_with`` so a slider drag is one undo step.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable
from typing import Any

from PySide6.QtGui import QUndoCommand

log = logging.getLogger(__name__)
_MERGE_IDS: dict[Hashable, int] = {}


def _merge_id(key: Hashable | None) -> int:
    if key is None:
        return -1
    return _MERGE_IDS.setdefault(key, len(_MERGE_IDS) + 1)


class QtCommand(QUndoCommand):
    """Wraps one model command; a command that fails in ``do`` marks itself obsolete, so the
    stack drops it and the model keeps its last good state."""

    def __init__(self, command: Any, target: Any = None, on_error=None) -> None:
        super().__init__(command.label)
        self.command = command
        self.target = target
        self.on_error = on_error
        self.failed: Exception | None = None
        self._done_once = False

    def _call(self, name: str) -> None:
        fn = getattr(self.command, name)
        if self.target is None:
            fn()
        else:
            fn(self.target)

    def _state_holder(self) -> Any:
        """The model object this command edits, if it can snapshot itself (to_dict/from_dict)."""
        if getattr(self.command, "atomic", False):
            return None  # it validates before changing anything: nothing to roll back
        holder = self.target if self.target is not None else getattr(self.command, "obj", None)
        if hasattr(holder, "to_dict") and hasattr(holder, "from_dict"):
            return holder
        return None

    def redo(self) -> None:
        holder = self._state_holder() if self.failed is None and not self._done_once else None
        snapshot = holder.to_dict() if holder is not None else None
        try:
            self._call("do")
            self._done_once = True
        except Exception as exc:  # a refused edit must never reach the event loop
            self.failed = exc
            log.info("command %r refused: %s", self.command.label, exc)
            if snapshot is not None:
                # No half-applied edit: put the model back exactly as it was.
                try:
                    holder.from_dict(snapshot)
                except Exception:
                    log.exception("could not roll back %r", self.command.label)
            self.setObsolete(True)
            if self.on_error is not None:
                self.on_error(exc)

    def undo(self) -> None:
        self._call("undo")

    def id(self) -> int:  # noqa: A003 - Qt's name
        return _merge_id(getattr(self.command, "merge_key", None))

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        merge = getattr(self.command, "merge_with", None)
        if merge is None or not isinstance(other, QtCommand) or other.failed is not None:
            return False
        if merge(other.command):
            self.setText(self.command.label)
            return True
        return False
