"""GradViz: a desktop app that teaches derivatives and PyTorch autograd by touch.

The scripting API is resolved lazily, so ``import gradviz; gradviz.trace(t)`` never imports Qt:

- ``gradviz.trace(tensor, module=None, params=None)`` and ``gradviz.trace_module(model, *inputs)``
  walk a real autograd graph (Qt-free, :mod:`gradviz.graph.trace`).
- ``gradviz.Viewer()``, ``viewer.add_graph(loss, name=..., module=model)``, the shorthand
  ``gradviz.show(loss)`` and ``gradviz.run()`` (blocks until the window closes, except inside
  IPython/Jupyter with ``%gui qt``) open the GradViz window in your process
  (:mod:`gradviz.ui.viewer`; Qt is imported only then).
"""

from __future__ import annotations

import importlib
from typing import Any

from gradviz._version import __version__

#: Public name → "module:attribute", imported on first use.
_LAZY = {
    "trace": "gradviz.graph.trace:trace",
    "trace_module": "gradviz.graph.trace:trace_module",
    "Viewer": "gradviz.ui.viewer:Viewer",
    "show": "gradviz.ui.viewer:show",
    "run": "gradviz.ui.viewer:run",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'gradviz' has no attribute {name!r}")
    module, _, attribute = target.partition(":")
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
