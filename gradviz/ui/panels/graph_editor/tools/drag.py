"""Moving nodes: Qt drags the selected items; the model hears of it once, on release."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QMouseEvent

from gradviz.graph import MoveNodes
from gradviz.ui.panels.graph_editor.items import model_position
from gradviz.ui.panels.graph_editor.tools.base import CanvasTool


class DragTool(CanvasTool):
    """Remembers where the selected nodes were when the button went down (after Qt's own
    press handling selected them) and turns the whole drag into one ``MoveNodes`` command,
    however many nodes moved: one undo step per drag."""

    def __init__(self, view) -> None:
        super().__init__(view)
        self._start: dict[int, QPointF] = {}

    def after_press(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._start = {i.node_id: i.pos() for i in self.view.selection.node_items()}

    def after_release(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._start:
            self._commit()

    def _commit(self) -> None:
        view = self.view
        moved = {}
        for nid, start in self._start.items():
            item = view.nodes.get(nid)
            if item is not None and (item.pos() - start).manhattanLength() > 0.5:
                moved[nid] = model_position(item.pos())
        self._start = {}
        if moved and not view.push(MoveNodes(moved, graph=view.graph)):
            for nid in moved:  # refused: put the items back where the model says
                if nid in view.graph:
                    view.mirror.on_moved(nid, view.graph.node(nid).position)
