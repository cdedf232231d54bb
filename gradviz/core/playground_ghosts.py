"""Earlier Playground runs kept as faded loss curves ("ghosts") to compare a new run against.

:class:`PlaygroundGhosts` is its own small sub-model (key ``playground_ghosts``) so the ghosts are
saved in lessons and validated on load like every sub-model; the Playground model itself stays
about the one live run. At most :data:`MAX_GHOSTS` runs are kept, the oldest dropped first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psygnal import Signal, SignalGroup

from gradviz.core.model import StateError
from gradviz.core.playground_state import CURVE_EVERY, decode_curve, encode_floats

MAX_GHOSTS = 4
MAX_LABEL = 120


@dataclass(frozen=True)
class Ghost:
    """One earlier run: what it was called and its train and test loss every ``CURVE_EVERY``
    updates from step 0."""

    label: str
    train: tuple[float, ...]
    test: tuple[float, ...]

    @property
    def steps(self) -> list[int]:
        return [i * CURVE_EVERY for i in range(len(self.train))]


def run_label(settings: dict[str, Any], steps: int) -> str:
    """A short description of a run's settings, e.g. ``"4-2 tanh · Adam lr 0.01 · 200 steps"``."""
    hidden = "-".join(str(h) for h in settings["hidden"]) or "no hidden"
    reg = "" if settings["regularization"] == "none" else \
        f" · {settings['regularization']} {settings['reg_rate']:g}"
    return (f"{hidden} {settings['activation']} · {settings['optimizer']} lr "
            f"{settings['lr']:g} · batch {settings['batch_size']}{reg} · seed {settings['seed']}"
            f" · {steps} steps")[:MAX_LABEL]


class GhostEvents(SignalGroup):
    """``changed(ghosts)``: a ghost was kept, the list was cleared or loaded."""

    changed = Signal(object)


class PlaygroundGhosts:
    """Up to four earlier runs' loss curves, labelled with their settings.

    Examples
    --------
    >>> ghosts = PlaygroundGhosts()
    >>> ghosts.keep("first run", [0.7, 0.5], [0.71, 0.52])
    >>> [g.label for g in ghosts.ghosts]
    ['first run']
    """

    key = "playground_ghosts"
    format_version = 1

    def __init__(self) -> None:
        self.events = GhostEvents()
        self.ghosts: tuple[Ghost, ...] = ()

    def keep(self, label: str, train: list[float], test: list[float]) -> None:
        """Keep a finished run (the oldest goes once there are four)."""
        ghost = _ghost({"label": label, "train": encode_floats(list(train)),
                        "test": encode_floats(list(test))}, "ghost")
        self._set((*self.ghosts, ghost)[-MAX_GHOSTS:])

    def clear(self) -> None:
        if self.ghosts:
            self._set(())

    def _set(self, ghosts: tuple[Ghost, ...]) -> None:
        self.ghosts = ghosts
        self.events.changed.emit(ghosts)

    def to_dict(self) -> dict[str, Any]:
        return {"ghosts": [{"label": g.label, "train": encode_floats(list(g.train)),
                            "test": encode_floats(list(g.test))} for g in self.ghosts]}

    def from_dict(self, data: dict[str, Any]) -> None:
        """Load saved ghosts; anything malformed raises :class:`StateError` and changes nothing."""
        if not isinstance(data, dict) or not isinstance(data.get("ghosts", []), list):
            raise StateError("playground_ghosts must hold a list 'ghosts'")
        items = data.get("ghosts", [])
        if len(items) > MAX_GHOSTS:
            raise StateError(f"at most {MAX_GHOSTS} ghost runs, got {len(items)}")
        self._set(tuple(_ghost(item, f"ghost {i + 1}") for i, item in enumerate(items)))

    def reset(self) -> None:
        self.clear()


def _ghost(item: Any, where: str) -> Ghost:
    if not isinstance(item, dict) or set(item) != {"label", "train", "test"}:
        raise StateError(f"{where} must be an object with label, train and test")
    label = item["label"]
    if not isinstance(label, str) or len(label) > MAX_LABEL:
        raise StateError(f"{where}: the label must be text of at most {MAX_LABEL} characters")
    train, test = item["train"], item["test"]
    if not isinstance(train, list) or not isinstance(test, list) or len(train) != len(test):
        raise StateError(f"{where}: train and test must be lists of the same length")
    return Ghost(label, tuple(decode_curve(f"{where}.train", train, len(train))),
                 tuple(decode_curve(f"{where}.test", test, len(test))))
