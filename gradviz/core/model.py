"""The application model: a registry of sub-models that all follow one small protocol.

Every panel is a view of one or more sub-models. ``app.py`` registers them, so this module never
imports the graph, lesson or ui layers.
"""

from __future__ import annotations

import copy
import gc
import hashlib
import json
import marshal
import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, runtime_checkable

from psygnal import Signal, SignalGroup

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

    Optional, for sub-models whose state is often absent or large (a traced graph):

    ``is_empty() -> bool``
        True when there is nothing to save. :meth:`AppModel.to_dict` then leaves the sub-model
        out (lessons that never used it are written as before, and older builds, which refuse
        unknown models, still open them), and :meth:`AppModel.from_dict` of a state without it
        resets it: an absent entry means "empty", not "keep what is there".
    ``fingerprint() -> str``
        A cheap token that changes whenever ``to_dict()`` would, used to tell whether the lesson
        changed instead of writing out the whole state; equal states loaded from the same data
        (see ``prepare_state``) give equal tokens.
    ``prepare_state(state) -> prepared`` and ``apply_prepared(prepared)``
        Loading in two phases: ``prepare_state`` validates (raising :class:`StateError`) and
        returns an immutable loaded form; ``apply_prepared`` takes it and cannot fail. Such a
        sub-model keeps no reference into states it is given and returns fresh data from
        ``to_dict``, so callers share its (large) states instead of copying them. A caller
        that loads the same state again (a scene shown twice) keeps the prepared form and skips
        the validation; :meth:`AppModel.from_dict` applies these last, so they need no rollback.
    ``precompute_state()``
        Does ahead, on a worker thread, the costly part of the next ``to_dict`` (a live traced
        graph summarises thousands of tensors), so that saving keeps the window answering.
    ``thread_events: frozenset[str]``
        The names of signals that may be emitted on a thread other than the GUI's (a traced
        graph's ``grads_captured`` fires on the thread that ran ``backward()``). A listener that
        touches widgets must queue those to its own thread (``gradviz.ui.connections``).
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


@dataclass(frozen=True)
class Setting:
    """One saved setting of a sub-model: its default, how values are checked, and how a control
    presents it.

    Validation: ``lo``/``hi`` bounds and ``integer`` for numbers, ``choices`` for a fixed set,
    ``max_len`` for text, or ``check`` (a function returning the clean value or raising
    :class:`StateError`) for anything else. ``factory`` builds mutable defaults afresh.

    Presentation, read by the binding helper in the Qt layer so no range is typed twice:
    ``label`` (the accessible name), ``doc`` (the tooltip), ``step``, ``decimals``, ``log``
    (logarithmic slider) and ``choice_labels`` (text shown for each choice).
    """

    default: Any = None
    lo: float | None = None
    hi: float | None = None
    integer: bool = False
    choices: tuple[Any, ...] | None = None
    max_len: int = 1000
    check: Callable[[str, Any], Any] | None = None
    factory: Callable[[], Any] | None = None
    label: str = ""
    doc: str = ""
    step: float | None = None
    decimals: int | None = None
    log: bool = False
    choice_labels: tuple[str, ...] | None = None

    def initial(self) -> Any:
        """A fresh default value (mutable defaults are never shared between instances)."""
        return self.factory() if self.factory is not None else self.default

    def validate(self, label: str, value: Any) -> Any:
        """The value as stored, or :class:`StateError` with a plain message."""
        if self.check is not None:
            return self.check(label, value)
        if self.choices is not None:
            if value not in self.choices:
                raise StateError(f"{label} must be one of {list(self.choices)}, got {value!r}")
            return value
        if isinstance(self.default, bool):
            if not isinstance(value, bool):
                raise StateError(f"{label} must be true or false")
            return value
        if isinstance(self.default, str):
            if not isinstance(value, str) or len(value) > self.max_len:
                raise StateError(f"{label} must be a short text")
            return value
        if isinstance(self.default, int | float):
            return check_number(label, value, self.lo, self.hi,
                                self.integer or isinstance(self.default, int))
        return value


def _settings_events(settings: dict[str, Setting], actions: dict[str, tuple]) -> type:
    """A :class:`psygnal.SignalGroup` with one signal per setting and one per action."""
    namespace: dict[str, Any] = {name: Signal(object) for name in settings}
    namespace.update({name: Signal(*types) for name, types in actions.items()})
    return type("Events", (SignalGroup,), namespace)


class SettingsModel:
    """The one base of GradViz's sub-models: validated settings read and written as attributes,
    each change emitting ``events.<name>`` once, plus past-tense action signals.

    Subclasses set ``key``, ``SETTINGS`` (name → :class:`Setting`) and, for actions such as
    ``stepped`` or ``pressed``, ``ACTIONS`` (name → tuple of argument types). The ``events`` group
    is generated from both, so no signal is declared twice; a subclass that needs a hand-made
    group may still define ``Events`` itself. Writing an invalid value raises
    :class:`StateError` (a ``ValueError``) and changes nothing. A subclass may override
    ``_validate`` to check settings that depend on each other; it sees every write.
    """

    key: ClassVar[str] = ""
    format_version: ClassVar[int] = 1
    SETTINGS: ClassVar[dict[str, Setting]] = {}
    ACTIONS: ClassVar[dict[str, tuple]] = {}
    Events: ClassVar[type[SignalGroup]] = SignalGroup

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "Events" not in cls.__dict__:
            cls.Events = _settings_events(cls.SETTINGS, cls.ACTIONS)

    def __init__(self, **values: Any) -> None:
        object.__setattr__(self, "_values", {n: s.initial() for n, s in self.SETTINGS.items()})
        object.__setattr__(self, "events", self.Events())
        if values:  # e.g. TangentModel(source="x**2", x=1.0): validated like any write
            self.from_dict(values)

    def __getattr__(self, name: str) -> Any:
        values = self.__dict__.get("_values")
        if values is not None and name in values:
            return values[name]
        raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self.SETTINGS:
            self._assign(self._validate({name: value}))
            return
        object.__setattr__(self, name, value)

    @classmethod
    def setting(cls, name: str) -> Setting:
        """The declaration of one setting (bounds, choices, label, tooltip)."""
        return cls.SETTINGS[name]

    def _validate(self, data: dict[str, Any]) -> dict[str, Any]:
        """Check a partial or whole state; return the clean values or raise StateError."""
        if not isinstance(data, dict):
            raise StateError(f"{self.key}: expected an object, got {type(data).__name__}")
        unknown = set(data) - set(self.SETTINGS)
        if unknown:
            raise StateError(f"{self.key}: unknown field(s) {', '.join(sorted(unknown))}")
        return {n: self.SETTINGS[n].validate(f"{self.key}.{n}", v) for n, v in data.items()}

    def _assign(self, clean: dict[str, Any]) -> None:
        values = self._values
        for name, value in clean.items():
            old = values[name]
            if value != old or type(value) is not type(old):
                values[name] = value
                getattr(self.events, name).emit(value)

    def to_dict(self) -> dict[str, Any]:
        return dict(self._values)

    def from_dict(self, data: dict[str, Any]) -> None:
        """Validate everything first, then assign: bad data never leaves a half-loaded model."""
        self._assign(self._validate(data))

    def reset(self) -> None:
        self.from_dict({n: s.initial() for n, s in self.SETTINGS.items()})


def setting_of(model: Any, name: str) -> Setting:
    """The :class:`Setting` of one field of a sub-model, for views that bind controls to it."""
    settings = getattr(model, "SETTINGS", None)
    if settings is None or name not in settings:
        raise KeyError(f"{type(model).__name__} has no setting {name!r}")
    return settings[name]


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

    def replace(self, sub: SubModel) -> Any:
        """Put ``sub`` in the place of the registered sub-model with its key (a new traced graph
        in place of the old one); views learn of it through ``registered``."""
        if not isinstance(sub, SubModel):
            raise TypeError(f"{sub!r} does not follow the SubModel protocol")
        if sub.key not in self._models:
            raise KeyError(f"no sub-model named {sub.key!r} to replace")
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
        """File → New: every sub-model back to its defaults. A sub-model whose own ``reset`` keeps
        its settings (the playground's "start the run again") offers ``restore_defaults``."""
        for sub in self._models.values():
            getattr(sub, "restore_defaults", sub.reset)()
        self.was_reset.emit()

    def saved_keys(self) -> list[str]:
        """The keys :meth:`to_dict` writes: every sub-model but those that say they are empty."""
        return [key for key, sub in self._models.items() if not is_empty(sub)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": APP_FORMAT_VERSION,
            "models": {
                key: {"version": self._models[key].format_version,
                      "state": self._models[key].to_dict()}
                for key in self.saved_keys()
            },
        }

    def from_dict(self, data: dict[str, Any], prepared: dict[str, Any] | None = None,
                  keep: frozenset[str] | set[str] = frozenset()) -> None:
        """Load every sub-model's state; on any error nothing is changed.

        A sub-model that is absent from ``data`` keeps its state, unless it offers ``is_empty``
        (then it is reset). ``prepared`` may hold, by key, what ``prepare_state`` returned for
        the very same states (see :class:`SubModel`); missing ones are prepared here. ``keep``
        names sub-models the caller knows already hold their entry's state (a scene shown after
        another that left them alike): they count as present, but are neither loaded again
        nor, their entry only checked for its version, validated.
        """
        entries = dict(self._entries(data))  # the caller's own object: never changed here
        kept = {key: entries.pop(key) for key in keep if key in entries}
        prepared = dict(prepared or {})
        for key, entry in entries.items():  # validate the two-phase ones before changing anything
            sub = self._models[key]
            if loads_in_two_phases(sub) and key not in prepared:
                prepared[key] = sub.prepare_state(entry.get("state"))
        snapshot: dict[str, Any] = {}
        try:
            for key, entry in entries.items():
                sub = self._models[key]
                if not loads_in_two_phases(sub):
                    snapshot[key] = sub.to_dict()
                    sub.from_dict(entry.get("state"))
        except Exception:
            # Roll back whatever was loaded before the failure: never a half-loaded model.
            for key, state in snapshot.items():
                self._models[key].from_dict(state)
            raise
        for key, form in prepared.items():
            if key in entries:
                self._models[key].apply_prepared(form)
        for key, sub in self._models.items():
            if key not in entries and key not in kept and hasattr(sub, "is_empty") \
                    and not sub.is_empty():
                sub.reset()
        self.loaded.emit()

    def _entries(self, data: Any) -> dict[str, dict[str, Any]]:
        """The ``models`` object of a saved state, its envelope and versions checked."""
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
        for key, entry in entries.items():
            if not isinstance(entry, dict) or entry.get("version") != self._models[key].format_version:
                raise StateError(f"{key}: unsupported version {entry!r:.60}")
        return entries

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


def state_fingerprint(state: Any) -> str:
    """A fingerprint of saved state (plain data): equal for equal data written in the same key
    order. ``marshal`` format 2 (no back-references) makes it a matter of milliseconds even for
    a traced graph of thousands of nodes, where sorted JSON takes a fifth of a second."""
    try:
        raw = marshal.dumps(state, 2)
    except ValueError:  # not plain data (a numpy number): the slow, general way
        raw = json.dumps(state, sort_keys=True, default=repr).encode("utf-8")
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def copy_state(state: Any) -> Any:
    """A deep copy of saved state; plain data is copied by ``marshal`` (about 4× faster than
    :func:`copy.deepcopy`, which matters for a traced graph's state in every scene)."""
    try:
        raw = marshal.dumps(state, 2)
    except ValueError:
        return copy.deepcopy(state)
    # Plain data holds no reference cycles, but its hundreds of thousands of new containers
    # would set off full collections of a large heap (0.5 s instead of 0.06 s measured).
    with collection_paused():
        return marshal.loads(raw)


_PAUSE_LOCK = threading.Lock()
_PAUSES = [0, False]  # how many callers paused the cyclic collector; was it enabled before


@contextmanager
def collection_paused(freeze: bool = False) -> Iterator[None]:
    """Pause Python's cyclic garbage collector while building large plain data (a traced
    graph's state): it holds no cycles, yet each full collection over a heap of millions of
    objects takes 0.1–0.3 s, on whichever thread happens to allocate, the window's included.
    Safe from several threads at once. ``freeze``: afterwards move everything alive out of the
    collector's way (``gc.freeze``, as ``app.py`` does after start-up) — for data that lives
    long, such as an opened lesson."""
    with _PAUSE_LOCK:
        if _PAUSES[0] == 0:
            _PAUSES[1] = gc.isenabled()
            gc.disable()
        _PAUSES[0] += 1
    try:
        yield
    finally:
        with _PAUSE_LOCK:
            if freeze:
                gc.freeze()
            _PAUSES[0] -= 1
            if _PAUSES[0] == 0 and _PAUSES[1]:
                gc.enable()


def is_empty(sub: Any) -> bool:
    """True for a sub-model that offers ``is_empty`` and has nothing to save."""
    check = getattr(sub, "is_empty", None)
    return bool(check()) if check is not None else False


def loads_in_two_phases(sub: Any) -> bool:
    """True for a sub-model with ``prepare_state`` and ``apply_prepared`` (see :class:`SubModel`):
    it keeps no reference into the states it is given, so callers need not copy them."""
    return hasattr(sub, "prepare_state") and hasattr(sub, "apply_prepared")


def _signals_of(events: Any) -> list[Any]:
    from psygnal import SignalInstance

    if hasattr(events, "__iter__") and hasattr(events, "signals"):
        return list(events.signals.values())
    return [v for v in vars(events).values() if isinstance(v, SignalInstance)]
