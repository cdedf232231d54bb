"""The ``.gradviz`` lesson file: UTF-8 JSON holding the state of every sub-model (scenes
included), the dock layout and the theme.

A file is decoded in three steps, and only a file that passes all of them is ever applied:

1. :func:`gradviz.lesson.safe_json.parse_json` — size, encoding, nesting, strict JSON;
2. :func:`migrate` — older envelope versions are converted step by step, future ones refused;
3. :func:`decode_lesson` — every field's type is checked, sub-model states are migrated, and the
   whole state (and each scene's) is loaded into a *fresh candidate model*, whose own
   ``from_dict`` validates it. The caller's model is not touched until then.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from gradviz._version import __version__
from gradviz.core.model import AppModel, StateError, copy_state, loads_in_two_phases
from gradviz.lesson.json_pieces import dumps_in_pieces
from gradviz.lesson.safe_json import MAX_FILE_BYTES, LessonError, check_depth, parse_json
from gradviz.lesson.scenes import SCENES_KEY, state_for_loading

FORMAT_NAME = "gradviz-lesson"
#: Version of the envelope written by :func:`encode_lesson`.
LESSON_FORMAT_VERSION = 1
FILE_SUFFIX = ".gradviz"
MAX_LAYOUT_BYTES = 256 * 1024
MAX_TITLE = 200
#: Lessons up to this many characters are written indented, one value a line (readable, and
#: what every lesson looked like before traced graphs); larger ones, which hold a traced graph of
#: thousands of nodes, compactly: Python's indenting encoder is pure Python, 2.5× slower.
INDENT_MAX_CHARS = 2_000_000
_THEME_NAME = re.compile(r"^[a-z][a-z0-9-]{0,31}$")

ModelFactory = Callable[[], AppModel]


@dataclass
class Lesson:
    """Everything a lesson file holds, already validated.

    Parameters
    ----------
    model
        ``AppModel.to_dict()`` of the whole model, scenes included.
    layout
        The window's dock arrangement as opaque bytes (``QMainWindow.saveState``); the lesson
        layer never looks inside.
    layout_version
        The version the layout was saved with; a window ignores layouts of another version.
    theme
        A theme name (the UI falls back to its current theme when it does not know it).
    title
        A short name for the lesson.
    source
        For recovery copies: the file the unsaved work belonged to.
    """

    model: dict[str, Any]
    layout: bytes | None = None
    layout_version: int = 0
    theme: str | None = None
    title: str = ""
    source: str | None = None
    saved_at: str = ""
    app_version: str = field(default_factory=lambda: __version__)
    #: What the sub-models that load in two phases prepared from ``model`` while the file was
    #: decoded (see ``SubModel``): applying the lesson then validates and copies nothing again.
    prepared: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


# -- writing -----------------------------------------------------------------------------------
def lesson_to_dict(lesson: Lesson) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": LESSON_FORMAT_VERSION,
        "app_version": __version__,
        "saved_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "title": lesson.title,
        "theme": lesson.theme,
        "layout": None if lesson.layout is None else {
            "version": lesson.layout_version,
            "qt_state": base64.b64encode(lesson.layout).decode("ascii"),
        },
        "model": lesson.model,
    }
    if lesson.source is not None:
        data["recovery"] = {"source": lesson.source}
    return data


def encode_lesson(lesson: Lesson) -> bytes:
    """The file's bytes; :class:`LessonError` when the state cannot be written as JSON."""
    try:
        check_depth(lesson.model)
        data = lesson_to_dict(lesson)
        text = dumps_in_pieces(data)  # = json.dumps(data, …), letting the window's thread run
        if len(text) <= INDENT_MAX_CHARS:
            text = json.dumps(data, ensure_ascii=False, indent=1, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise LessonError(f"the current state cannot be saved: {exc}") from None
    raw = (text + "\n").encode("utf-8")
    if len(raw) > MAX_FILE_BYTES:
        raise LessonError(f"the lesson would be {len(raw) / 1e6:.1f} MB, larger than GradViz "
                          f"can open again ({MAX_FILE_BYTES // (1024 * 1024)} MB)")
    return raw


# -- version migration -------------------------------------------------------------------------
def _from_bare_model_state(data: dict[str, Any]) -> dict[str, Any]:
    """Version 0: a bare ``AppModel.to_dict()`` dump, as scripts write it with ``json.dump``."""
    return {"format": FORMAT_NAME, "version": 1, "title": "", "theme": None, "layout": None,
            "model": data}


#: ``MIGRATIONS[n]`` turns an envelope of version ``n`` into version ``n + 1``.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    0: _from_bare_model_state,
}


def envelope_version(data: Any) -> int:
    if not isinstance(data, dict):
        raise LessonError(f"not a GradViz lesson (the file holds a JSON {_kind(data)}, "
                          "not an object)")
    if "format" not in data and isinstance(data.get("models"), dict):
        return 0
    if data.get("format") != FORMAT_NAME:
        raise LessonError("not a GradViz lesson (no \"format\": \"gradviz-lesson\" entry)")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise LessonError(f"the lesson's format version {str(version)[:20]!r} is not a "
                          "positive whole number")
    return version


def migrate(data: Any) -> dict[str, Any]:
    """Bring an envelope to :data:`LESSON_FORMAT_VERSION`, one step at a time."""
    version = envelope_version(data)
    if version > LESSON_FORMAT_VERSION:
        raise LessonError(f"this lesson was saved by a newer GradViz (lesson format {version}); "
                          f"this version reads formats up to {LESSON_FORMAT_VERSION}. "
                          "Update GradViz to open it.")
    while version < LESSON_FORMAT_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise LessonError(f"lesson format {version} can no longer be read")
        data = step(data)
        version += 1
        if data.get("version") != version:
            raise LessonError(f"converting lesson format {version - 1} failed")
    return data


def migrate_model_state(state: dict[str, Any], model: AppModel, where: str) -> dict[str, Any]:
    """Bring each sub-model's saved state to the version this build writes.

    A sub-model that changed its format offers ``migrate_state(version, state) -> state``; one
    saved by a newer build is refused.
    """
    state = copy_state(state)
    models = state.get("models")
    if not isinstance(models, dict):
        return state
    for key, entry in models.items():
        sub = model.get(key)
        if sub is None or not isinstance(entry, dict):
            continue  # AppModel.from_dict names the problem
        version = entry.get("version")
        if isinstance(version, bool) or not isinstance(version, int):
            raise LessonError(f"{where}: {key}: the version must be a whole number")
        if version > sub.format_version:
            raise LessonError(f"{where}: {key} was saved by a newer GradViz (format {version}; "
                              f"this version reads up to {sub.format_version})")
        if version < sub.format_version:
            convert = getattr(sub, "migrate_state", None)
            if convert is None:
                raise LessonError(f"{where}: {key} format {version} can no longer be read")
            try:
                entry["state"] = convert(version, entry.get("state"))
            except StateError as exc:
                raise LessonError(f"{where}: {exc}") from None
            entry["version"] = sub.format_version
    return state


# -- reading -----------------------------------------------------------------------------------
def decode_lesson(raw: bytes, model_factory: ModelFactory, name: str = "the file") -> Lesson:
    """Parse, migrate and validate a lesson; the returned :class:`Lesson` is safe to apply."""
    data = parse_json(raw, name)
    try:
        data = migrate(data)
    except LessonError as exc:
        raise LessonError(f"{name}: {exc}") from None
    return lesson_from_dict(data, model_factory, name)


def lesson_from_dict(data: dict[str, Any], model_factory: ModelFactory,
                     name: str = "the file") -> Lesson:
    known = {"format", "version", "app_version", "saved_at", "title", "theme", "layout",
             "model", "recovery"}
    unknown = set(data) - known
    if unknown:
        raise LessonError(f"{name}: unknown entries {', '.join(sorted(unknown))[:200]}")
    title = data.get("title", "")
    if not isinstance(title, str) or len(title) > MAX_TITLE:
        raise LessonError(f"{name}: the title must be a text of at most {MAX_TITLE} characters")
    for key in ("app_version", "saved_at"):
        if not isinstance(data.get(key, ""), str) or len(data.get(key, "")) > 64:
            raise LessonError(f"{name}: {key} must be a short text")
    theme = data.get("theme")
    if theme is not None and (not isinstance(theme, str) or not _THEME_NAME.match(theme)):
        raise LessonError(f"{name}: the theme must be a theme name like \"light\"")
    layout, layout_version = _decode_layout(data.get("layout"), name)
    source = _decode_recovery(data.get("recovery"), name)

    state = data.get("model")
    if not isinstance(state, dict):
        raise LessonError(f"{name}: no model state (\"model\" must be an object)")
    candidate = model_factory()
    entries = state.get("models")
    if isinstance(entries, dict):
        missing = sorted(k for k in entries if k not in candidate)
        if missing:
            raise LessonError(f"{name} uses {', '.join(missing)[:200]}, which this version of "
                              "GradViz does not have (unknown model(s)); a newer GradViz may "
                              "open it")
    try:
        state = migrate_model_state(state, candidate, "model")
        scenes_entry = _scenes_entry(state)
        if scenes_entry is not None:
            _migrate_scene_states(scenes_entry, candidate)
    except LessonError as exc:
        raise LessonError(f"{name}: {exc}") from None
    try:
        prepared = _prepare(candidate, state)
        candidate.from_dict(state, prepared=prepared)
    except StateError as exc:
        raise LessonError(f"{name}: {exc}") from None
    except Exception as exc:  # a sub-model's from_dict must not crash the caller
        raise LessonError(f"{name}: the state could not be loaded ({type(exc).__name__}: "
                          f"{exc})") from None
    _check_scene_states(candidate, model_factory, name)
    return Lesson(model=_loaded_state(candidate, state), prepared=prepared, layout=layout,
                  layout_version=layout_version,
                  theme=theme, title=title, source=source,
                  saved_at=data.get("saved_at", ""), app_version=data.get("app_version", ""))


def _prepare(candidate: AppModel, state: dict[str, Any]) -> dict[str, Any]:
    """``prepare_state`` of each sub-model that loads in two phases (validation happens here,
    where the file is decoded: in the window's worker thread)."""
    entries = state.get("models")
    if not isinstance(entries, dict):
        return {}
    return {key: candidate[key].prepare_state(entry.get("state"))
            for key, entry in entries.items()
            if key in candidate and isinstance(entry, dict)
            and entry.get("version") == candidate[key].format_version
            and loads_in_two_phases(candidate[key])}


def _loaded_state(candidate: AppModel, state: dict[str, Any]) -> dict[str, Any]:
    """The candidate's state, but the validated entries of sub-models that load in two phases
    as read (the very data they prepared, so applying the lesson finds it prepared)."""
    loaded = candidate.to_dict()
    for key, entry in state["models"].items():
        if key in loaded["models"] and loads_in_two_phases(candidate[key]):
            loaded["models"][key] = entry
    return loaded


def _scenes_entry(state: dict[str, Any]) -> dict[str, Any] | None:
    models = state.get("models")
    entry = models.get(SCENES_KEY) if isinstance(models, dict) else None
    if isinstance(entry, dict) and isinstance(entry.get("state"), dict):
        return entry["state"]
    return None


def _migrate_scene_states(scenes_state: dict[str, Any], model: AppModel) -> None:
    items = scenes_state.get("scenes")
    if not isinstance(items, list):
        return
    for i, item in enumerate(items):
        if isinstance(item, dict) and isinstance(item.get("state"), dict):
            item["state"] = migrate_model_state(item["state"], model, f"scene {i + 1}")


def _check_scene_states(candidate: AppModel, model_factory: ModelFactory, name: str) -> None:
    """Load every scene's state into a second fresh model, so a bad scene is found now and not
    in the middle of a presentation."""
    scenes = candidate.get(SCENES_KEY)
    if scenes is None or len(scenes) == 0:
        return
    probe = model_factory()
    for i, scene in enumerate(scenes):
        _ = scene.fingerprint  # computed here, in the worker, not by the window's first digest
        if not scene.state:
            continue
        try:
            probe.from_dict(state_for_loading(probe, scene.state))
        except StateError as exc:
            raise LessonError(f"{name}: scene {i + 1}: {exc}") from None
        except Exception as exc:
            raise LessonError(f"{name}: scene {i + 1}: the state could not be loaded "
                              f"({type(exc).__name__}: {exc})") from None


def _decode_layout(layout: Any, name: str) -> tuple[bytes | None, int]:
    if layout is None:
        return None, 0
    if not isinstance(layout, dict) or set(layout) - {"version", "qt_state"}:
        raise LessonError(f"{name}: the layout must be an object with version and qt_state")
    version = layout.get("version", 0)
    if isinstance(version, bool) or not isinstance(version, int) or not 0 <= version < 10_000:
        raise LessonError(f"{name}: the layout version must be a whole number")
    blob = layout.get("qt_state")
    if not isinstance(blob, str) or len(blob) > MAX_LAYOUT_BYTES * 4 // 3 + 4:
        raise LessonError(f"{name}: the layout must be a base64 text of at most "
                          f"{MAX_LAYOUT_BYTES // 1024} kB")
    try:
        return base64.b64decode(blob.encode("ascii"), validate=True), version
    except (binascii.Error, UnicodeEncodeError):
        raise LessonError(f"{name}: the layout is not valid base64") from None


def _decode_recovery(recovery: Any, name: str) -> str | None:
    if recovery is None:
        return None
    if not isinstance(recovery, dict) or set(recovery) - {"source"}:
        raise LessonError(f"{name}: recovery must be an object with a source")
    source = recovery.get("source")
    if source is not None and (not isinstance(source, str) or len(source) > 4096):
        raise LessonError(f"{name}: the recovery source must be a path")
    return source


def _kind(value: Any) -> str:
    return {list: "list", str: "text", int: "number", float: "number", bool: "true/false",
            type(None): "null"}.get(type(value), type(value).__name__)

