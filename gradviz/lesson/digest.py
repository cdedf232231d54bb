"""A fingerprint of the model's state, to tell whether a lesson has unsaved changes.

It runs after every model event (debounced), so it must stay cheap with a traced graph of
thousands of nodes loaded, in the model and in scenes: a sub-model that offers ``fingerprint()``
(see :class:`~gradviz.core.model.SubModel`) is represented by it, each scene by its cached
:attr:`~gradviz.lesson.scenes.Scene.fingerprint`; only the other (small) states are written out.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from gradviz.core.model import AppModel
from gradviz.lesson.scenes import SCENES_KEY, Scene


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=repr)


def _current(model: AppModel) -> dict[str, str]:
    """Each saved sub-model (the scene list aside) as a short text: its fingerprint if it offers
    one, else its whole saved entry."""
    out: dict[str, str] = {}
    for key in model.saved_keys():
        if key == SCENES_KEY:
            continue
        sub = model[key]
        fingerprint = getattr(sub, "fingerprint", None)
        out[key] = ("#" + fingerprint() if fingerprint is not None else
                    _canonical({"version": sub.format_version, "state": sub.to_dict()}))
    return out


def _shows(model: AppModel, current: dict[str, str], scene: Scene) -> bool:
    """True while every sub-model holds exactly ``scene``'s state (and those a scene leaves
    empty by omitting them, such as a traced graph, are empty)."""
    shown = scene.state.get("models", {}) if scene.state else {}
    if not shown:
        return False
    for key, entry in shown.items():
        sub = model.get(key)
        if key not in current or sub is None:
            return False
        if hasattr(sub, "fingerprint"):
            if current[key] != "#" + scene.fingerprints.get(key, ""):
                return False
        elif current[key] != _canonical(entry):
            return False
    return all(key in shown for key in current if hasattr(model[key], "is_empty"))


def state_digest(model: AppModel) -> str:
    """A fingerprint of what a save would keep.

    Showing a recorded scene is not an edit: while every sub-model still holds exactly the
    current scene's state, the fingerprint does not depend on which scene that is, so walking
    through a lesson (presenting it) leaves it unmodified. Any change on top of a scene, or to
    the scenes themselves, changes the fingerprint.
    """
    current = _current(model)
    content: dict[str, Any] = {"models": current}
    scenes = model.get(SCENES_KEY) if SCENES_KEY in model.saved_keys() else None
    if scenes is not None:
        content["scenes"] = [scene.fingerprint for scene in scenes]
        index = scenes.current
        if 0 <= index < len(scenes) and _shows(model, current, scenes[index]):
            content["models"] = "showing a recorded scene"
    return hashlib.blake2b(_canonical(content).encode("utf-8"), digest_size=16).hexdigest()
