"""Selecting: Qt selects nodes (click, rubber band); edges are picked by this tool."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QMouseEvent

from gradviz.graph import Disconnect
from gradviz.graph.commands import Macro, delete_nodes
from gradviz.ui.panels.graph_editor.edge_item import EdgeItem
from gradviz.ui.panels.graph_editor.node_item import NodeItem
from gradviz.ui.panels.graph_editor.tools.base import CanvasTool


class SelectionTool(CanvasTool):
    """Click an edge to pick it (Ctrl or Shift adds to the pick); a click elsewhere drops the
    pick. Delete removes the selected nodes and disconnects the picked edges, in one step."""

    def press(self, event: QMouseEvent, pos: QPoint) -> bool:
        view = self.view
        edge = view.edge_at(pos) if view.node_at(pos) is None else None
        extend = event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                      | Qt.KeyboardModifier.ShiftModifier)
        if not extend:
            self.pick_edges([])
        if edge is None:
            return False  # Qt selects (or rubber-bands) the nodes
        view.scene_.clearSelection()
        self.pick_edges([*self.picked_edges(), edge])
        return True

    # -- nodes -----------------------------------------------------------------------------
    def node_items(self) -> list[NodeItem]:
        return [i for i in self.view.scene_.selectedItems() if isinstance(i, NodeItem)]

    def ids(self) -> list[int]:
        return sorted(i.node_id for i in self.node_items())

    def select_all(self) -> None:
        for item in self.view.nodes.values():
            item.setSelected(True)

    def select_only(self, node: NodeItem) -> None:
        self.view.scene_.clearSelection()
        node.setSelected(True)

    def select_ids(self, node_ids: list[int]) -> None:
        self.view.scene_.clearSelection()
        for nid in node_ids:
            if nid in self.view.nodes:
                self.view.nodes[nid].setSelected(True)

    # -- edges -----------------------------------------------------------------------------
    def picked_edges(self) -> list[EdgeItem]:
        return [i for i in self.view.edges.values() if i.picked]

    def pick_edges(self, items: list[EdgeItem]) -> None:
        """Mark exactly ``items`` as picked."""
        keep = set(map(id, items))
        for item in self.view.edges.values():
            item.set_picked(id(item) in keep)

    # -- deleting --------------------------------------------------------------------------
    def delete(self) -> bool:
        """Delete the selected nodes and disconnect the picked edges, as one undo step."""
        view = self.view
        ids = self.ids()
        edges = [i for i in self.picked_edges()
                 if i.edge.src not in ids and i.edge.dst not in ids]
        commands = []
        if ids:
            commands.append(delete_nodes(view.graph, ids))
        commands += [Disconnect(e.edge.dst, e.edge.port, graph=view.graph) for e in edges]
        if not commands:
            return False
        if len(commands) == 1:
            return view.push(commands[0])
        return view.push(Macro(f"Delete {len(ids)} nodes and {len(edges)} edges", commands))
