"""The canvas's right-click menu."""

from __future__ import annotations

from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QMenu

from gradviz.graph import Disconnect


def open_context_menu(view, event: QContextMenuEvent) -> None:
    """On a node: edit value, duplicate, delete. On an edge: disconnect. On empty canvas: the
    palette, to add a node there."""
    pos = event.pos()
    node = view.node_at(pos)
    if node is None:
        edge = view.edge_at(pos)
        if edge is None:
            view.palette_tool.open(view.mapToScene(pos), event.globalPos())
            return
        menu = QMenu(view)
        menu.addAction("Disconnect", lambda: view.push(
            Disconnect(edge.edge.dst, edge.edge.port, graph=view.graph)))
        menu.exec(event.globalPos())
        return
    if not node.isSelected():
        view.selection.select_only(node)
    menu = QMenu(view)
    if node.editable:
        menu.addAction("Edit value", lambda: view.edit_value(node.node_id))
    menu.addAction("Duplicate", view.clipboard.duplicate)
    menu.addAction("Delete", view.selection.delete)
    menu.exec(event.globalPos())
