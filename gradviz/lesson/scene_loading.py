"""Showing scene after scene: load only the sub-models whose state the scene changes.

A scene holds every sub-model's state, but consecutive scenes of a lesson differ in one or two
of them. Loading all of them again made every sub-model announce a reset, and every view of
them (shown or not) rebuild its picture: most of a scene change's time. :class:`SceneLoader`
tells which sub-models already hold a scene's state and keeps them as they are — the same
objects, no event — so only what differs is loaded.
"""

from __future__ import annotations

from typing import Any

from gradviz.core.model import AppModel, loads_in_two_phases, state_fingerprint
from gradviz.lesson.scenes import Scene, state_for_loading


def _token(sub: Any) -> str | None:
    """A cheap token of a sub-model's current state, or None when there is none to be had:
    its own ``fingerprint()`` if it offers one, else a fingerprint of ``to_dict()`` — except
    for a sub-model that loads in two phases, whose ``to_dict`` may summarise thousands of
    tensors."""
    fingerprint = getattr(sub, "fingerprint", None)
    if fingerprint is not None:
        return "#" + fingerprint()
    if loads_in_two_phases(sub):
        return None
    return state_fingerprint(sub.to_dict())


class SceneLoader:
    """Loads scenes into one model, skipping the sub-models that already hold a scene's state.

    A sub-model holds it when its saved state has the scene's fingerprint, or when its token is
    the one it had right after it last loaded that very state (for sub-models whose saved form
    is not the one they were given, or whose token is their own ``fingerprint()``). Any change
    made since — an edit, a training step — changes the token, so the scene is loaded again.

    Parameters
    ----------
    model
        The model scenes are loaded into.
    """

    def __init__(self, model: AppModel) -> None:
        self.model = model
        #: key -> (fingerprint of the scene state last loaded, the sub-model's token after it)
        self._loaded: dict[str, tuple[str, str | None]] = {}

    def holds(self, key: str, scene: Scene) -> bool:
        """True when sub-model ``key`` already holds ``scene``'s state for it."""
        wanted = scene.fingerprints.get(key)
        sub = self.model.get(key)
        if wanted is None or sub is None:
            return False
        token = _token(sub)
        if token is None:
            return False
        return token == wanted or self._loaded.get(key) == (wanted, token)

    def apply(self, scene: Scene) -> list[str]:
        """Load ``scene``'s state (all or nothing, as :meth:`AppModel.from_dict`; StateError if
        refused); returns the keys of the sub-models that were loaded."""
        if not scene.state:
            return []
        models = scene.state.get("models", {})
        keep = {key for key in models if self.holds(key, scene)}
        state = {**scene.state, "models": {k: v for k, v in models.items() if k not in keep}}
        loading = state_for_loading(self.model, state)
        loading["models"].update((key, models[key]) for key in keep)  # checked, never loaded
        try:
            self.model.from_dict(loading, keep=keep)
        except Exception:
            self._loaded.clear()  # rolled back: what was loaded before is no longer known
            raise
        loaded = [key for key in models if key not in keep]
        for key in loaded:
            self._loaded[key] = (scene.fingerprints.get(key, ""), _token(self.model[key]))
        return loaded

    def forget(self) -> None:
        """Load every sub-model at the next scene (after a whole lesson was loaded, say)."""
        self._loaded.clear()
