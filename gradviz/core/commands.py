"""Qt-free undoable commands.

A command changes only the model; views update because the model emits events. The Qt layer wraps
commands in ``QUndoCommand`` (``gradviz/ui/undo.py``), so the same command works in scripts and
tests without a window.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Protocol, runtime_checkable

from gradviz.core.model import SettingsModel


@runtime_checkable
class Command(Protocol):
    """``do()``/``undo()`` and a ``label`` for the Edit menu ("Set x = 2")."""

    label: str

    def do(self) -> None: ...

    def undo(self) -> None: ...


class SetFieldCommand:
    """Set one field of an evented model.

    Consecutive commands on the same object and field merge (one undo step for a whole slider
    drag) when ``merge`` is true; see :meth:`merge_with`.
    """

    def __init__(self, obj: Any, field: str, value: Any, label: str | None = None,
                 merge: bool = True) -> None:
        self.obj = obj
        self.field = field
        self.value = value
        self.old = getattr(obj, field)
        self.label = label or f"Set {field} = {value:.4g}" if isinstance(value, float) \
            else (label or f"Set {field} = {value}")
        self.merge_key: Hashable | None = (id(obj), field) if merge else None

    def do(self) -> None:
        setattr(self.obj, self.field, self.value)

    def undo(self) -> None:
        setattr(self.obj, self.field, self.old)

    def merge_with(self, other: SetFieldCommand) -> bool:
        if other.merge_key != self.merge_key or other.obj is not self.obj:
            return False
        self.value = other.value
        self.label = other.label
        return True


class SetFieldsCommand:
    """Set several fields of one model as one undo step (a preset, a descent step, a new start).

    Fields that already hold the new value are left alone, so undo restores exactly what
    changed. A :class:`~gradviz.core.model.SettingsModel` validates them together first, so a bad
    value changes nothing. Never merged.
    """

    merge_key: Hashable | None = None

    def __init__(self, obj: Any, values: dict[str, Any], label: str) -> None:
        self.obj = obj
        self.values = {k: v for k, v in values.items() if getattr(obj, k) != v}
        self.old = {k: getattr(obj, k) for k in self.values}
        self.label = label

    def do(self) -> None:
        self._apply(self.values)

    def undo(self) -> None:
        self._apply(self.old)

    def _apply(self, values: dict[str, Any]) -> None:
        # A SettingsModel checks settings that depend on each other (a range's two ends) on
        # every write: one field at a time, a valid pair of values could be refused half-way.
        if isinstance(self.obj, SettingsModel):
            self.obj.from_dict(values)
            return
        validate = getattr(self.obj, "_validate", None)
        clean = validate(values) if validate is not None else values
        for name, value in clean.items():
            setattr(self.obj, name, value)
