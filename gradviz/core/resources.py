"""Where the top-level ``resources/`` folder is, wherever GradViz runs from.

One function knows it: a frozen (PyInstaller) app unpacks it under ``sys._MEIPASS``, a wheel
carries it as ``gradviz/resources`` (see ``pyproject.toml``), and a source checkout has it beside
the package.
"""

from __future__ import annotations

import sys
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _candidates() -> list[Path]:
    found = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        found.append(Path(frozen_root) / "resources")
    found.append(_PACKAGE_DIR / "resources")  # installed wheel
    found.append(_PACKAGE_DIR.parent / "resources")  # source checkout / editable install
    return found


def resource_dir() -> Path:
    """The resources folder; raises ``FileNotFoundError`` naming every place it looked."""
    candidates = _candidates()
    for path in candidates:
        if (path / "RESOURCES").is_file():
            return path
    raise FileNotFoundError("GradViz resources not found; looked in "
                            + ", ".join(str(p) for p in candidates))


def resource_path(*parts: str) -> Path:
    """A path inside the resources folder, e.g. ``resource_path("icons", "gradviz.svg")``."""
    return resource_dir().joinpath(*parts)
