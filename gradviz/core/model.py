"""The application model: a registry of sub-models that all follow one small protocol.

Every panel is a view of one or more sub-models. ``app.py`` registers them, so this module never
imports the graph, lesson or ui layers.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from typing import Any, ClassVar, Protocol, runtime_checkable

from psygnal import Signal

#: Version of the envelope written by :meth:`AppModel.to_dict`.
APP_FORMAT_VERSION = 1


class StateError(ValueError):
    """Saved state that cannot be loaded: wrong type, out of range, unknown version."""


@runtime_checkable
class SubModel(Protocol):
    """What every sub-model offers.

    ``key`` names it in the registry and in saved files, ``format_version`` versions its
    ``to_dict`` output, and ``events`` is a psygnal group whose signals are named after fields
    (``events.x``) or are past-tense actions (``events.stepped``).
    """

    key: ClassVar[str]
    format_version: ClassVar[int]
    events: Any

    def to_dict(self) -> dict[str, Any]: ...

    def from_dict(self, data: dict[str, Any]) -> None: ...

    def reset(self) -> None: ...


def check_number(name: str, value: Any, lo: float | None = None, hi: float | None = None,
                 integer: bool = False) -> float | int:
    """Validate a number read from saved state; raise :class:`StateError` with a plain message."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise StateError(f"{name} must be a number, not {type(value).__name__}")
    if integer and not float(value).is_integer():
        raise StateError(f"{name} must be a whole number, got {value!r}")
    if not math.isfinite(value):
        raise StateError(f"{name} must be finite, got {value!r}")
    if lo is not None and value < lo or hi is not None and value > hi:
        raise StateError(f"{name} must lie in [{lo}, {hi}], got {value!r}")
    return int(value) if integer else float(value)


class FieldModel:
    """Base for sub-models that are evented dataclasses (decorate subclasses with
    ``@psygnal.evented`` and ``@dataclasses.dataclass``).

    It derives ``to_dict``/``from_dict``/``reset`` from the fields. A field's ``metadata`` may give
    ``lo``/``hi`` bounds, ``integer=True``, or ``choices``; ``from_dict`` validates the whole
    dictionary before it assigns anything, so bad data never leaves a half-loaded model.
    """

    key: ClassVar[str] = ""
    format_version: ClassVar[int] = 1

    def _fields(self) -> tuple[dataclasses.Field, ...]:
        return dataclasses.fields(self)  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in self._fields()}

    def _validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise StateError(f"{self.key}: expected an object, got {type(data).__name__}")
        clean: dict[str, Any] = {}
        known = {f.name: f for f in self._fields()}
        unknown = set(data) - set(known)
        if unknown:
            raise StateError(f"{self.key}: unknown field(s) {', '.join(sorted(unknown))}")
        for name, value in data.items():
            meta = known[name].metadata
            label = f"{self.key}.{name}"
            default = getattr(type(self)(), name)
            if "choices" in meta:
                if value not in meta["choices"]:
                    raise StateError(f"{label} must be one of {list(meta['choices'])}, got {value!r}")
                clean[name] = value
            elif isinstance(default, bool):
                if not isinstance(value, bool):
                    raise StateError(f"{label} must be true or false")
                clean[name] = value
            elif isinstance(default, int | float):
                clean[name] = check_number(label, value, meta.get("lo"), meta.get("hi"),
                                           meta.get("integer", isinstance(default, int)))
            elif isinstance(default, str):
                if not isinstance(value, str) or len(value) > meta.get("max_len", 1000):
                    raise StateError(f"{label} must be a short text")
                clean[name] = value
            else:
                clean[name] = value
        return clean

    def from_dict(self, data: dict[str, Any]) -> None:
        clean = self._validate(data)
        for name, value in clean.items():
            setattr(self, name, value)

    def reset(self) -> None:
        fresh = type(self)()
        for f in self._fields():
            setattr(self, f.name, getattr(fresh, f.name))


class AppModel:
    """The one shared model: a registry of sub-models keyed by ``SubModel.key``.

    Examples
    --------
    >>> from gradviz.core.mininet import MiniNetwork
    >>> model = AppModel()
    >>> net = model.register(MiniNetwork())
    >>> model["mininet"] is net
    True
    """

    registered = Signal(str)
    was_reset = Signal()
    loaded = Signal()

    def __init__(self) -> None:
        self._models: dict[str, SubModel] = {}

    def register(self, sub: SubModel) -> Any:
        if not isinstance(sub, SubModel):
            raise TypeError(f"{sub!r} does not follow the SubModel protocol")
        if sub.key in self._models:
            raise ValueError(f"a sub-model named {sub.key!r} is already registered")
        self._models[sub.key] = sub
        self.registered.emit(sub.key)
        return sub

    def __getitem__(self, key: str) -> Any:
        return self._models[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self._models.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._models

    def __iter__(self) -> Iterator[str]:
        return iter(self._models)

    def keys(self) -> list[str]:
        return list(self._models)

    def reset(self) -> None:
        for sub in self._models.values():
            sub.reset()
        self.was_reset.emit()

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": APP_FORMAT_VERSION,
            "models": {
                key: {"version": sub.format_version, "state": sub.to_dict()}
                for key, sub in self._models.items()
            },
        }

    def from_dict(self, data: dict[str, Any]) -> None:
        """Load every sub-model's state; on any error nothing is changed."""
        if not isinstance(data, dict) or not isinstance(data.get("models"), dict):
            raise StateError("not a GradViz model state (no 'models' object)")
        version = data.get("format_version")
        if version != APP_FORMAT_VERSION:
            raise StateError(f"model format version {version!r} is not supported "
                             f"(this GradViz reads version {APP_FORMAT_VERSION})")
        entries = data["models"]
        unknown = set(entries) - set(self._models)
        if unknown:
            raise StateError(f"unknown model(s): {', '.join(sorted(unknown))}")
        snapshot = {key: sub.to_dict() for key, sub in self._models.items()}
        try:
            for key, entry in entries.items():
                sub = self._models[key]
                if not isinstance(entry, dict) or entry.get("version") != sub.format_version:
                    raise StateError(f"{key}: unsupported version {entry!r:.60}")
                sub.from_dict(entry.get("state"))
        except Exception:
            # Roll back whatever was loaded before the failure: never a half-loaded model.
            for key, state in snapshot.items():
                self._models[key].from_dict(state)
            raise
        self.loaded.emit()

    def connection_count(self) -> int:
        """How many slots are connected to all sub-models' events (for leak checks in tests)."""
        total = len(self.registered) + len(self.was_reset) + len(self.loaded)
        for sub in self._models.values():
            events = getattr(sub, "events", None)
            if events is None:
                continue
            for sig in _signals_of(events):
                total += len(sig)
        return total


def _signals_of(events: Any) -> list[Any]:
    from psygnal import SignalInstance

    if hasattr(events, "__iter__") and hasattr(events, "signals"):
        return list(events.signals.values())
    return [v for v in vars(events).values() if isinstance(v, SignalInstance)]
