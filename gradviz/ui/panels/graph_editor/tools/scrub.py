"""Scrubbing: drag a leaf's value sideways to change it, as in a spreadsheet or Blender."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QMouseEvent

from gradviz.graph import GraphError, SetValue
from gradviz.graph.elements import check_value
from gradviz.ui.panels.graph_editor.tools.base import CanvasTool

#: Value change per pixel when a leaf's value is scrubbed (Shift: ten times finer).
SCRUB_STEP = 0.05
#: Pixels the mouse must move before a press on a value becomes a scrub.
SCRUB_SLOP = 4


class ScrubTool(CanvasTool):
    """Press on the value line of an input or constant and drag: each step pushes a
    :class:`~gradviz.graph.SetValue`, and consecutive ones merge into one undo step."""

    def __init__(self, view) -> None:
        super().__init__(view)
        self._node: int | None = None
        self._x = 0
        self._start = 0.0
        self._moving = False

    @property
    def active(self) -> bool:
        return self._node is not None

    def press(self, event: QMouseEvent, pos: QPoint) -> bool:
        view = self.view
        node = view.node_at(pos)
        if node is None or not node.editable or view.port_at(pos) is not None:
            return False
        if not node.value_rect().contains(node.mapFromScene(view.mapToScene(pos))):
            return False
        view.selection.select_only(node)
        self._node, self._x, self._start, self._moving = node.node_id, pos.x(), \
            node.node.value, False
        return True

    def move(self, event: QMouseEvent, pos: QPoint) -> None:
        dx = pos.x() - self._x
        if not self._moving and abs(dx) < SCRUB_SLOP:
            return
        self._moving = True
        fine = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        step = SCRUB_STEP / 10 if fine else SCRUB_STEP
        value = round(self._start + dx * step, 3 if fine else 2)
        graph = self.view.graph
        if self._node not in graph or graph.node(self._node).value == value:
            return
        try:
            check_value(value)
        except GraphError as exc:
            self.view.status(str(exc))
            return
        self.view.push(SetValue(self._node, value, graph=graph))

    def release(self, event: QMouseEvent, pos: QPoint) -> None:
        self._node = None

    def cancel(self) -> None:
        self._node = None
