"""The chapter's example graphs, stored as JSON in ``resources/examples`` and loaded by name."""

from __future__ import annotations

import json
import re

from gradviz.core.model import StateError
from gradviz.core.resources import resource_path
from gradviz.graph.model import Graph

#: The chapter's three topologies, in the order the chapter shows them.
EXAMPLES = ("chain", "two_paths", "mini_network")

_NAME = re.compile(r"[a-z0-9_]{1,64}")
_MAX_FILE_BYTES = 2_000_000


def example_path(name: str):
    """Where example ``name`` is stored; only plain names (no paths) are accepted."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(f"{name!r} is not an example name (letters, digits and _ only)")
    return resource_path("examples", f"{name}.json")


def load_example(name: str) -> Graph:
    """A new graph holding example ``name`` (``"chain"``, ``"two_paths"``, ``"mini_network"``).

    Raises ``FileNotFoundError`` for an unknown name and ``StateError`` for a damaged file.
    """
    path = example_path(name)
    if not path.is_file():
        raise FileNotFoundError(f"there is no example named {name!r}; "
                                f"the examples are {', '.join(available_examples())}")
    if path.stat().st_size > _MAX_FILE_BYTES:
        raise StateError(f"example {name!r} is too large to be a graph")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StateError(f"example {name!r} is not valid JSON: {exc}") from None
    return Graph.create_from_dict(data)


def available_examples() -> list[str]:
    """The chapter's examples first, then any other example file in the folder."""
    folder = resource_path("examples")
    found = sorted(p.stem for p in folder.glob("*.json") if _NAME.fullmatch(p.stem))
    return [n for n in EXAMPLES if n in found] + [n for n in found if n not in EXAMPLES]
