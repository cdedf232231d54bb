"""Copy, paste and duplicate nodes (the canvas's own clipboard: graph nodes, not text)."""

from __future__ import annotations

from gradviz.graph import Edge, Node
from gradviz.graph.commands import PasteNodes

#: How far each paste of the same copy lands from the previous one, in model units.
PASTE_STEP = 30.0


class ClipboardTool:
    """Copies of the selected nodes and the edges among them; each paste lands a step further
    down and right, and the pasted nodes become the selection."""

    def __init__(self, view) -> None:
        self.view = view
        self._copied: tuple[list[Node], list[Edge]] | None = None
        self._pastes = 0

    def copy(self) -> bool:
        view = self.view
        ids = set(view.selection.ids())
        if not ids:
            return False
        nodes = [view.graph.node(i) for i in sorted(ids)]
        edges = [e for e in view.graph.edges if e.src in ids and e.dst in ids]
        self._copied = (nodes, edges)
        self._pastes = 0
        view.status(f"Copied {len(nodes)} node{'s' if len(nodes) != 1 else ''}")
        return True

    def paste(self, label: str = "Paste") -> bool:
        if self._copied is None:
            return False
        self._pastes += 1
        d = PASTE_STEP * self._pastes
        command = PasteNodes(*self._copied, offset=(d, d), label=label)
        ok = self.view.push(command)
        if ok:
            self.view.selection.select_ids(command.new_ids)
        return ok

    def duplicate(self) -> bool:
        return self.copy() and self.paste("Duplicate")
