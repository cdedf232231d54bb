"""Scenes: the ordered steps of a lesson. Each scene records which panels are shown, the state of
the models at that moment and a short caption.

:class:`SceneList` is a sub-model (key ``scenes``) registered on the :class:`AppModel`, so it is
saved, reset and loaded like every other one. The commands below change it undoably and never
touch Qt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar

from psygnal import Signal, SignalGroup

from gradviz.core.model import (
    APP_FORMAT_VERSION,
    AppModel,
    StateError,
    copy_state,
    loads_in_two_phases,
    state_fingerprint,
)
from gradviz.core.panel_info import PanelInfo

MAX_SCENES = 200
MAX_CAPTION = 400
MAX_PANELS = 32
_PANEL_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
#: The key of the scene list itself: a scene's state never contains the scenes.
SCENES_KEY = "scenes"


@dataclass(frozen=True)
class Scene:
    """One step of a lesson.

    Parameters
    ----------
    caption
        Shown large in presentation mode; plain text.
    panels
        Registry names of the panels shown in this scene, in order.
    state
        An :meth:`AppModel.to_dict` dictionary (without the scene list) to load when the scene
        is shown; it may hold only some sub-models.
    """

    caption: str = ""
    panels: tuple[str, ...] = ()
    state: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The saved form. ``state`` is the scene's own, shared, not copied (a traced graph's
        is megabytes): read it, never change it."""
        return {"caption": self.caption, "panels": list(self.panels), "state": self.state}

    @cached_property
    def fingerprints(self) -> dict[str, str]:
        """:func:`~gradviz.core.model.state_fingerprint` of each sub-model's saved state in this
        scene, computed once (a scene never changes: editing one replaces it)."""
        models = self.state.get("models", {}) if self.state else {}
        return {key: state_fingerprint(entry.get("state"))
                for key, entry in models.items() if isinstance(entry, dict)}

    @cached_property
    def fingerprint(self) -> str:
        """A fingerprint of the whole scene (caption, panels and state)."""
        return state_fingerprint([self.caption, list(self.panels), sorted(self.fingerprints.items()),
                                  self.state.get("format_version") if self.state else None])

    @classmethod
    def from_dict(cls, data: Any, where: str = "scene") -> Scene:
        if not isinstance(data, dict):
            raise StateError(f"{where}: expected an object, got {type(data).__name__}")
        unknown = set(data) - {"caption", "panels", "state"}
        if unknown:
            raise StateError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        caption = data.get("caption", "")
        if not isinstance(caption, str) or len(caption) > MAX_CAPTION:
            raise StateError(f"{where}: the caption must be a text of at most {MAX_CAPTION} "
                             "characters")
        panels = data.get("panels", [])
        if not isinstance(panels, list) or len(panels) > MAX_PANELS:
            raise StateError(f"{where}: panels must be a list of at most {MAX_PANELS} names")
        for name in panels:
            if not isinstance(name, str) or not _PANEL_NAME.match(name):
                raise StateError(f"{where}: {str(name)[:40]!r} is not a panel name")
        if len(set(panels)) != len(panels):
            raise StateError(f"{where}: a panel is listed twice")
        state = data.get("state", {})
        check_scene_state(state, where)
        return cls(caption, tuple(panels), copy_state(state))


def check_scene_state(state: Any, where: str = "scene") -> None:
    """The shape of a scene's state (the sub-models' own checks run when it is loaded)."""
    if not isinstance(state, dict):
        raise StateError(f"{where}: state must be an object")
    if not state:
        return
    if state.get("format_version") != APP_FORMAT_VERSION or not isinstance(state.get("models"),
                                                                           dict):
        raise StateError(f"{where}: state is not a GradViz model state")
    if SCENES_KEY in state["models"]:
        raise StateError(f"{where}: a scene cannot contain scenes")


def capture_scene(model: AppModel, panels: list[str] | tuple[str, ...], caption: str = "") -> Scene:
    """A scene holding the current state of every sub-model except the scene list."""
    state = model.to_dict()
    state["models"].pop(SCENES_KEY, None)
    return Scene(caption, tuple(p for p in panels if p != SCENES_KEY),
                 state_for_loading(model, state))


def apply_scene_state(model: AppModel, scene: Scene) -> None:
    """Load a scene's state into the model (all or nothing; StateError if refused)."""
    if scene.state:
        model.from_dict(state_for_loading(model, scene.state))


def state_for_loading(model: AppModel, state: dict[str, Any]) -> dict[str, Any]:
    """``state`` copied so that loading it (or the model changing later) cannot change it: only
    the entries of sub-models that may keep references are copied; those of sub-models that
    load in two phases (a traced graph's, the largest) are shared."""
    models = state.get("models")
    if not isinstance(models, dict):
        return copy_state(state)
    shared = {k for k in models if k in model and loads_in_two_phases(model[k])}
    copied = copy_state({k: v for k, v in models.items() if k not in shared})
    copied.update((k, models[k]) for k in shared)
    return {**{k: v for k, v in state.items() if k != "models"},
            "models": {k: copied[k] for k in models}}


class SceneEvents(SignalGroup):
    changed = Signal()  # the list or a scene in it changed
    current = Signal(int)  # the scene being shown (-1: none)


class SceneList:
    """The lesson's scenes, in order, and which one is being shown.

    Examples
    --------
    >>> scenes = SceneList()
    >>> scenes.insert(0, Scene("Slope"))
    >>> [s.caption for s in scenes]
    ['Slope']
    """

    key: ClassVar[str] = SCENES_KEY
    format_version: ClassVar[int] = 1

    def __init__(self) -> None:
        self.events = SceneEvents()
        self._scenes: list[Scene] = []
        self._current = -1

    # -- reading -------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._scenes)

    def __getitem__(self, index: int) -> Scene:
        return self._scenes[index]

    def __iter__(self):
        return iter(list(self._scenes))

    @property
    def current(self) -> int:
        return self._current

    # -- changing ------------------------------------------------------------------------
    def set_current(self, index: int) -> None:
        if not -1 <= index < len(self._scenes):
            raise IndexError(f"there is no scene {index + 1}")
        if index != self._current:
            self._current = index
            self.events.current.emit(index)

    def insert(self, index: int, scene: Scene) -> None:
        if len(self._scenes) >= MAX_SCENES:
            raise StateError(f"a lesson holds at most {MAX_SCENES} scenes")
        if not 0 <= index <= len(self._scenes):
            raise IndexError(f"cannot insert a scene at position {index + 1}")
        self._scenes.insert(index, scene)
        self.events.changed.emit()
        if self._current >= index:
            self._set_current_quietly(self._current + 1)

    def remove(self, index: int) -> Scene:
        scene = self._scenes.pop(index)
        self.events.changed.emit()
        if self._current > index or self._current >= len(self._scenes):
            self._set_current_quietly(self._current - 1)
        return scene

    def replace(self, index: int, scene: Scene) -> Scene:
        old = self._scenes[index]
        self._scenes[index] = scene
        self.events.changed.emit()
        return old

    def move(self, src: int, dst: int) -> None:
        n = len(self._scenes)
        if not (0 <= src < n and 0 <= dst < n):
            raise IndexError(f"cannot move scene {src + 1} to position {dst + 1}")
        scene = self._scenes.pop(src)
        self._scenes.insert(dst, scene)
        self.events.changed.emit()
        if self._current == src:
            self._set_current_quietly(dst)
        elif src < self._current <= dst:
            self._set_current_quietly(self._current - 1)
        elif dst <= self._current < src:
            self._set_current_quietly(self._current + 1)

    def _set_current_quietly(self, index: int) -> None:
        index = max(-1, min(index, len(self._scenes) - 1))
        if index != self._current:
            self._current = index
            self.events.current.emit(index)

    # -- SubModel protocol ---------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {"current": self._current, "scenes": [s.to_dict() for s in self._scenes]}

    def from_dict(self, data: Any) -> None:
        self.apply_prepared(self.prepare_state(data))

    def apply_prepared(self, prepared: tuple[tuple[Scene, ...], int]) -> None:
        """Show scenes already validated by :meth:`prepare_state`; cannot fail."""
        scenes, current = prepared
        self._scenes = list(scenes)
        self.events.changed.emit()
        self._set_current_quietly(current)

    @staticmethod
    def prepare_state(data: Any) -> tuple[tuple[Scene, ...], int]:
        """Validate saved scenes: ``(scenes, current)``, the scenes holding copies of their
        states (a lesson is decoded in a worker, then shown without copying them again)."""
        if not isinstance(data, dict):
            raise StateError(f"scenes: expected an object, got {type(data).__name__}")
        unknown = set(data) - {"current", "scenes"}
        if unknown:
            raise StateError(f"scenes: unknown field(s) {', '.join(sorted(unknown))}")
        items = data.get("scenes", [])
        if not isinstance(items, list):
            raise StateError("scenes: expected a list of scenes")
        if len(items) > MAX_SCENES:
            raise StateError(f"scenes: {len(items)} scenes, at most {MAX_SCENES} are allowed")
        scenes = [Scene.from_dict(item, f"scene {i + 1}") for i, item in enumerate(items)]
        current = data.get("current", -1)
        if isinstance(current, bool) or not isinstance(current, int) \
                or not -1 <= current < len(scenes):
            raise StateError(f"scenes: current scene {current!r} does not exist")
        return tuple(scenes), current

    def reset(self) -> None:
        if self._scenes or self._current != -1:
            self._scenes = []
            self.events.changed.emit()
            self._set_current_quietly(-1)


# -- undoable commands -------------------------------------------------------------------------
class AddSceneCommand:
    """Insert a scene (at the end unless ``index`` is given)."""

    merge_key = None

    def __init__(self, scenes: SceneList, scene: Scene, index: int | None = None) -> None:
        self.scenes = scenes
        self.scene = scene
        self.index = len(scenes) if index is None else index
        self.label = f"Add scene {self.index + 1}"

    def do(self) -> None:
        self.scenes.insert(self.index, self.scene)

    def undo(self) -> None:
        self.scenes.remove(self.index)


class UpdateSceneCommand:
    """Replace a scene (new state, panels or caption)."""

    def __init__(self, scenes: SceneList, index: int, scene: Scene, label: str | None = None,
                 merge: bool = False) -> None:
        self.scenes = scenes
        self.index = index
        self.scene = scene
        self.old = scenes[index]
        self.label = label or f"Update scene {index + 1}"
        # Caption edits merge (one undo step per caption typed), state updates do not.
        self.merge_key = ("scene-caption", id(scenes), index) if merge else None

    def do(self) -> None:
        self.scenes.replace(self.index, self.scene)

    def undo(self) -> None:
        self.scenes.replace(self.index, self.old)

    def merge_with(self, other: UpdateSceneCommand) -> bool:
        if other.merge_key is None or other.merge_key != self.merge_key:
            return False
        self.scene = other.scene
        return True


class SetCaptionCommand(UpdateSceneCommand):
    def __init__(self, scenes: SceneList, index: int, caption: str) -> None:
        if len(caption) > MAX_CAPTION:
            raise StateError(f"a caption holds at most {MAX_CAPTION} characters")
        old = scenes[index]
        super().__init__(scenes, index, Scene(caption, old.panels, old.state),
                         label=f"Caption scene {index + 1}", merge=True)


class MoveSceneCommand:
    merge_key = None

    def __init__(self, scenes: SceneList, src: int, dst: int) -> None:
        self.scenes = scenes
        self.src = src
        self.dst = dst
        self.label = f"Move scene {src + 1} to {dst + 1}"

    def do(self) -> None:
        self.scenes.move(self.src, self.dst)

    def undo(self) -> None:
        self.scenes.move(self.dst, self.src)


class DeleteSceneCommand:
    merge_key = None

    def __init__(self, scenes: SceneList, index: int) -> None:
        self.scenes = scenes
        self.index = index
        self.scene = scenes[index]
        self.was_current = scenes.current
        self.label = f"Delete scene {index + 1}"

    def do(self) -> None:
        self.scenes.remove(self.index)

    def undo(self) -> None:
        self.scenes.insert(self.index, self.scene)
        if self.was_current == self.index:
            self.scenes.set_current(self.index)


PANEL = PanelInfo("scenes", "Scenes", "scenes:QtScenesPanel", area="left", order=900,
                  models=lambda model: [SceneList()])
