"""The canvas's copy of the model: one item per node and edge, kept in step by the graph's events.

It also paints what the panel worded for the current frame (:meth:`SceneMirror.apply_scene`) and
moves the gradient pulse; it computes nothing about gradients and never changes the model.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtWidgets import QGraphicsScene

from gradviz.graph import Edge, Graph, Node
from gradviz.ui.panels.graph_editor.display import Scene
from gradviz.ui.panels.graph_editor.edge_item import EdgeItem
from gradviz.ui.panels.graph_editor.items import PulseItem, scene_point
from gradviz.ui.panels.graph_editor.node_item import NodeItem
from gradviz.ui.panels.graph_editor.style import CanvasStyle, sign_colour


class SceneMirror:
    """Node and edge items of ``graph`` in ``scene``, by node id and by edge.

    Parameters
    ----------
    graph
        The model mirrored; connect its events to the ``on_*`` methods.
    scene
        Where the items live.
    style
        The colours they paint with (:meth:`set_style` changes it).
    """

    def __init__(self, graph: Graph, scene: QGraphicsScene, style: CanvasStyle) -> None:
        self.graph = graph
        self.scene = scene
        self.style = style
        self.nodes: dict[int, NodeItem] = {}
        self.edges: dict[Edge, EdgeItem] = {}
        self.pulse = PulseItem()
        scene.addItem(self.pulse)
        #: What the panel worded for the current frame; new items start from it.
        self.scene_text = Scene()
        self.labels_readable = True

    # -- model → items ---------------------------------------------------------------------
    def rebuild(self) -> None:
        """Drop every item and build them again from the model (after load or reset)."""
        for item in list(self.edges.values()):
            self._drop_edge_item(item)
        for item in list(self.nodes.values()):
            self.scene.removeItem(item)
        self.nodes.clear()
        self.edges.clear()
        self.pulse.setVisible(False)
        for node in self.graph.nodes:
            self.on_node_added(node)
        for edge in self.graph.edges:
            self.on_edge_added(edge)

    def on_node_added(self, node: Node) -> None:
        if node.id in self.nodes:
            return
        item = NodeItem(node, self.style)
        self.nodes[node.id] = item
        self.scene.addItem(item)
        view = self.scene_text.nodes.get(node.id)
        if view is not None:
            item.set_view(view)

    def on_node_removed(self, node: Node) -> None:
        item = self.nodes.pop(node.id, None)
        if item is None:
            return
        for e in list(item.edges):
            self._drop_edge_item(e)
        self.scene.removeItem(item)

    def on_edge_added(self, edge: Edge) -> None:
        src, dst = self.nodes.get(edge.src), self.nodes.get(edge.dst)
        if src is None or dst is None or edge in self.edges:
            return
        item = EdgeItem(edge, src, dst, self.style)
        self.edges[edge] = item
        self.scene.addItem(item)
        self.scene.addItem(item.label)
        item.label.set_readable(self.labels_readable)

    def on_edge_removed(self, edge: Edge) -> None:
        item = self.edges.get(edge)
        if item is not None:
            self._drop_edge_item(item)

    def _drop_edge_item(self, item: EdgeItem) -> None:
        item.detach_from_nodes()
        self.edges.pop(item.edge, None)
        if item.label.scene() is not None:
            self.scene.removeItem(item.label)
        if item.scene() is not None:
            self.scene.removeItem(item)

    def on_moved(self, node_id: int, position: tuple[float, float]) -> None:
        item = self.nodes.get(node_id)
        if item is not None:
            item.setPos(scene_point(position))

    def on_node_changed(self, node_id: int, *_: Any) -> None:
        item = self.nodes.get(node_id)
        if item is not None and node_id in self.graph:
            item.set_node(self.graph.node(node_id))

    # -- painting state --------------------------------------------------------------------
    def apply_scene(self, scene: Scene) -> None:
        """Show the texts and states the panel worked out for the current frame."""
        self.scene_text = scene
        for nid, item in self.nodes.items():
            view = scene.nodes.get(nid)
            if view is not None:
                item.set_view(view)
        finite = [abs(v.contribution) for v in scene.edges.values()
                  if v.contribution is not None and math.isfinite(v.contribution)]
        largest = max(finite, default=0.0)
        for edge, item in self.edges.items():
            view = scene.edges.get(edge)
            if view is not None:
                item.set_view(view, largest)

    def set_style(self, style: CanvasStyle) -> None:
        self.style = style
        for item in self.nodes.values():
            item.set_style(style)
        for item in self.edges.values():
            item.set_style(style)

    def set_labels_readable(self, readable: bool) -> None:
        """Show or hide every edge label (hidden when zoomed too far out to read them)."""
        self.labels_readable = readable
        for item in self.edges.values():
            item.label.set_readable(readable)

    def show_pulse(self, edge: Edge, t: float) -> bool:
        """Put the gradient pulse at fraction ``t`` of its way back along ``edge`` (0 → 1 runs
        from the consumer's input port to the producer's output port)."""
        item = self.edges.get(edge)
        if item is None:
            self.pulse.setVisible(False)
            return False
        path = item.path()
        self.pulse.setPos(path.pointAtPercent(min(1.0, max(0.0, 1.0 - t))))
        sign = item.sign()
        self.pulse.set_colours(sign_colour(self.style, sign) if sign else self.style.muted,
                               self.style.lit)
        self.pulse.setVisible(True)
        return True
