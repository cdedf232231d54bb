"""The side panel for the selected node: name, value and requires_grad, and what it computed."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from gradviz.core.numbers import fmt, full_text
from gradviz.graph import Graph, GraphError, Node, Rename, RunResult, SetRequiresGrad, SetValue
from gradviz.graph.elements import check_value
from gradviz.ui.panels.graph_editor.display import NodeView


@contextmanager
def _signals_blocked(*widgets: QWidget) -> Iterator[None]:
    """The widgets emit nothing inside the block (one :class:`QSignalBlocker` each)."""
    blockers = [QSignalBlocker(w) for w in widgets]
    try:
        yield
    finally:
        for blocker in blockers:
            blocker.unblock()


class QtNodeProperties(QWidget):
    """Edits go through ``push`` as graph commands; the fields follow the model's events."""

    def __init__(self, graph: Graph, push: Callable[[Any], bool],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("graph-properties")
        self.graph = graph
        self.push = push
        self.node_id: int | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.title = QLabel("<b>No node selected</b>")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setObjectName("graph-prop-name")
        self.value = QLineEdit()
        self.value.setObjectName("graph-prop-value")
        self.requires_grad = QCheckBox("requires_grad")
        form.addRow("name", self.name)
        form.addRow("value", self.value)
        form.addRow("", self.requires_grad)
        layout.addLayout(form)
        self.error = QLabel("")
        self.error.setObjectName("graph-prop-error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #CC3311;")
        layout.addWidget(self.error)
        self.info = QLabel("Click a node to see and edit it here.")
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.TextFormat.RichText)
        self.info.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.info, 1)
        self.name.editingFinished.connect(self._apply_name)
        self.value.returnPressed.connect(self._apply_value)
        self.requires_grad.toggled.connect(self._apply_requires_grad)
        self.show_node(None, None, None)

    def show_node(self, node_id: int | None, view: NodeView | None,
                  result: RunResult | None) -> None:
        """Fill the fields for ``node_id`` (None: nothing selected). Never echoes back.

        These fields are not plain model fields that :func:`gradviz.ui.binding.bind` could
        take: they belong to whichever node is selected, and edits go through graph commands
        with their own refusals. So they are filled here with their signals blocked (disabling
        a focused line edit would otherwise finish its editing, and the checkbox would toggle).
        """
        self.node_id = node_id if node_id is not None and node_id in self.graph else None
        node = None if self.node_id is None else self.graph.node(self.node_id)
        with _signals_blocked(self.name, self.value, self.requires_grad):
            if node is None:
                self._show_nothing()
            else:
                self._show(node, view, result)

    def _show(self, node: Node, view: NodeView | None, result: RunResult | None) -> None:
        self.title.setText(f"<b>{html.escape(node.label)}</b> ({node.spec.title})")
        if not self.name.hasFocus():
            self.name.setText(node.name)
        self.name.setEnabled(node.kind not in ("output",))
        leafish = node.kind in ("input", "constant")
        self.value.setEnabled(leafish)
        if not self.value.hasFocus():
            self.value.setText(repr(node.value) if leafish else "")
        self.requires_grad.setEnabled(node.kind == "input")
        self.requires_grad.setChecked(node.requires_grad)
        self.info.setText(self._info_html(node, view, result))

    def _show_nothing(self) -> None:
        self.title.setText("<b>No node selected</b>")
        self.name.setText("")
        self.value.setText("")
        self.requires_grad.setChecked(False)
        self.info.setText("Click a node to see and edit it here. Double-click a value "
                          "on the canvas to type a new one, or drag it sideways.")
        for w in (self.name, self.value, self.requires_grad):
            w.setEnabled(False)

    def _info_html(self, node, view: NodeView | None, result: RunResult | None) -> str:
        rows = []
        if result is not None and node.id in result.node_values:
            v = result.node_values.get(node.id)
            rows.append(f"value: <b>{fmt(v)}</b>")
            fn = result.grad_fns.get(node.id)
            if node.kind not in ("input", "constant", "output"):
                rows.append(f"grad_fn: <code>{fn}</code>")
            g = result.node_grads.get(node.id)
            if node.kind == "input":
                leaf = result.leaf_grads.get(node.id)
                rows.append(f"{html.escape(node.label)}.grad: <b>{fmt(leaf)}</b>")
                rows.append(f"<span title='{html.escape(full_text(leaf, result.dtype))}'>"
                            f"gradient from this run: {fmt(g)}</span>")
            elif node.kind not in ("constant", "output"):
                rows.append(f"gradient for this run: <b>{fmt(g)}</b>")
        if view is not None:
            if view.grad:
                rows.append(html.escape(view.grad))
            if view.tooltip:
                rows.append(f"<i>{html.escape(view.tooltip)}</i>")
        return "<br>".join(rows)

    def _fail(self, message: str) -> None:
        self.error.setText(message)

    def _apply_name(self) -> None:
        if self.node_id is None or self.node_id not in self.graph:
            return
        name = self.name.text().strip()
        if name == self.graph.node(self.node_id).name:
            return
        self.error.setText("")
        if not self.push(Rename(self.node_id, name, graph=self.graph)):
            self._fail(f"Name not changed: {self._last_reason(name)}")
            self.name.setText(self.graph.node(self.node_id).name)

    def _last_reason(self, name: str) -> str:
        from gradviz.graph.elements import check_name

        try:
            node = self.graph.node(self.node_id)
            check_name(name, node.kind)
            if node.kind == "input" and self.graph.input_named(name) is not None:
                return f"there is already an input named {name!r}"
        except GraphError as exc:
            return str(exc)
        return "refused"

    def _apply_value(self) -> None:
        if self.node_id is None or self.node_id not in self.graph:
            return
        text = self.value.text().strip()
        try:
            value = check_value(float(text))
        except GraphError as exc:
            self._fail(str(exc))
            return
        except ValueError:
            self._fail(f"{text!r} is not a number")
            return
        self.error.setText("")
        if value != self.graph.node(self.node_id).value:
            self.push(SetValue(self.node_id, value, graph=self.graph))

    def _apply_requires_grad(self, flag: bool) -> None:
        if self.node_id is None or self.node_id not in self.graph:
            return
        if self.graph.node(self.node_id).requires_grad != flag:
            self.push(SetRequiresGrad(self.node_id, flag, graph=self.graph))
