"""A fingerprint of the model's state, to tell whether a lesson has unsaved changes."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from gradviz.core.model import AppModel
from gradviz.lesson.scenes import SCENES_KEY


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=repr)


def state_digest(model: AppModel) -> str:
    """A fingerprint of what a save would keep.

    Showing a recorded scene is not an edit: while every sub-model still holds exactly the
    current scene's state, the fingerprint does not depend on which scene that is, so walking
    through a lesson (presenting it) leaves it unmodified. Any change on top of a scene, or to
    the scenes themselves, changes the fingerprint.
    """
    models = model.to_dict()["models"]
    content: dict[str, Any] = {"models": models}
    entry = models.get(SCENES_KEY)
    if isinstance(entry, dict) and isinstance(entry.get("state"), dict):
        scenes = entry["state"].get("scenes", [])
        current = entry["state"].get("current", -1)
        rest = {k: v for k, v in models.items() if k != SCENES_KEY}
        content = {"scenes": scenes, "models": rest}
        if isinstance(current, int) and 0 <= current < len(scenes):
            shown = scenes[current].get("state", {}).get("models", {})
            if shown and all(k in rest and _canonical(rest[k]) == _canonical(v)
                             for k, v in shown.items()):
                content["models"] = "showing a recorded scene"
    return hashlib.blake2b(_canonical(content).encode("utf-8"), digest_size=16).hexdigest()
