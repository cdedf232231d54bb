"""Adding nodes: the searchable palette (Tab, right-click, an edge dropped on empty canvas) and
kinds dropped onto the canvas."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF
from PySide6.QtGui import QDropEvent

from gradviz.graph import KINDS
from gradviz.graph.commands import AddConnected, new_node_command
from gradviz.ui.panels.graph_editor.items import model_position
from gradviz.ui.panels.graph_editor.palette import KIND_MIME, QtPalettePopup


class PaletteTool:
    """Opens the pop-up palette where the user is looking, and adds the chosen kind there
    through the undo stack (fed by ``source`` when the palette came from a dropped edge)."""

    def __init__(self, view) -> None:
        self.view = view
        self.popup: QtPalettePopup | None = None

    def open(self, scene_pos: QPointF, global_pos: QPoint, kinds: list[str] | None = None,
             source: int | None = None) -> QtPalettePopup:
        """The searchable palette at ``global_pos``; the chosen kind is added at ``scene_pos``."""
        self.close()
        title = "Add a node" if source is None else "Add a node fed by this output"
        self.popup = QtPalettePopup(self.view, lambda kind: self.add(kind, scene_pos, source),
                                    kinds=kinds, title=title)
        self.popup.popup_at(global_pos)
        return self.popup

    def open_at_cursor(self) -> QtPalettePopup:
        scene_pos, global_pos = self.view.cursor_scene_pos()
        return self.open(scene_pos, global_pos)

    def close(self) -> None:
        if self.popup is not None:
            self.popup.close()
            self.popup.deleteLater()
            self.popup = None

    def add(self, kind: str, scene_pos: QPointF, source: int | None = None) -> bool:
        view = self.view
        command = new_node_command(view.graph, kind, model_position(scene_pos))
        if source is not None and source in view.graph:
            return view.push(AddConnected(command, source, view.graph))
        return view.push(command)

    # -- drag and drop of a kind -----------------------------------------------------------
    @staticmethod
    def accepts(event) -> bool:
        """A drag carrying a node kind (from the side list or another window)."""
        return event.mimeData().hasFormat(KIND_MIME)

    def drop(self, event: QDropEvent) -> bool:
        """Add the dropped kind where it was dropped; False if the drop carries no kind."""
        data = event.mimeData()
        if not data.hasFormat(KIND_MIME):
            return False
        kind = bytes(data.data(KIND_MIME)).decode("ascii", "replace")
        if kind in KINDS:
            self.add(kind, self.view.mapToScene(event.position().toPoint()))
            event.acceptProposedAction()
        return True
