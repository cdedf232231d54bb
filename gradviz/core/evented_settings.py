"""A base for sub-models that hold a few validated settings *and* live state with action events.

:class:`~gradviz.core.model.FieldModel` covers models that are only fields. The trap, the training
run and the no_grad demo also own real tensors (an experiment in progress) and announce actions
(``pressed``, ``stepped``), so their ``events`` group holds one signal per setting plus action
signals. Declaring both in one :class:`psygnal.SignalGroup` keeps every connection visible to
:meth:`AppModel.connection_count` (the leak check of the panel contract).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from psygnal import SignalGroup

from gradviz.core.model import StateError, check_number


@dataclass(frozen=True)
class Setting:
    """One saved setting: its default and how values are checked (bounds, whole number, choices)."""

    default: Any
    lo: float | None = None
    hi: float | None = None
    integer: bool = False
    choices: tuple[Any, ...] | None = None

    def check(self, label: str, value: Any) -> Any:
        """The value as stored, or :class:`StateError` with a plain message."""
        if self.choices is not None:
            if value not in self.choices:
                raise StateError(f"{label} must be one of {list(self.choices)}, got {value!r}")
            return value
        if isinstance(self.default, bool):
            if not isinstance(value, bool):
                raise StateError(f"{label} must be true or false")
            return value
        return check_number(label, value, self.lo, self.hi, self.integer)


class EventedSettings:
    """Settings read and written as attributes; each change emits ``events.<name>`` once.

    Subclasses set ``key``, ``SETTINGS`` (name → :class:`Setting`) and ``Events`` (a
    :class:`psygnal.SignalGroup` subclass with one signal per setting, plus any action signals).
    Writing an invalid value raises :class:`StateError` and changes nothing.
    """

    key: ClassVar[str] = ""
    format_version: ClassVar[int] = 1
    SETTINGS: ClassVar[dict[str, Setting]] = {}
    Events: ClassVar[type[SignalGroup]] = SignalGroup

    def __init__(self) -> None:
        object.__setattr__(self, "_values", {n: s.default for n, s in self.SETTINGS.items()})
        object.__setattr__(self, "events", self.Events())

    def __getattr__(self, name: str) -> Any:
        values = self.__dict__.get("_values")
        if values is not None and name in values:
            return values[name]
        raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self.SETTINGS:
            clean = self.SETTINGS[name].check(f"{self.key}.{name}", value)
            if clean != self._values[name] or type(clean) is not type(self._values[name]):
                self._values[name] = clean
                getattr(self.events, name).emit(clean)
            return
        object.__setattr__(self, name, value)

    def to_dict(self) -> dict[str, Any]:
        return dict(self._values)

    def from_dict(self, data: dict[str, Any]) -> None:
        """Validate everything first, then assign: bad data never leaves a half-loaded model."""
        if not isinstance(data, dict):
            raise StateError(f"{self.key}: expected an object, got {type(data).__name__}")
        unknown = set(data) - set(self.SETTINGS)
        if unknown:
            raise StateError(f"{self.key}: unknown field(s) {', '.join(sorted(unknown))}")
        clean = {n: self.SETTINGS[n].check(f"{self.key}.{n}", v) for n, v in data.items()}
        for name, value in clean.items():
            setattr(self, name, value)

    def reset(self) -> None:
        for name, setting in self.SETTINGS.items():
            setattr(self, name, setting.default)
