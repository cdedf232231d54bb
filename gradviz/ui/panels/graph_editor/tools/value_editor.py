"""Typing a value in place: a line editor over the value of an input or constant."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QLineEdit

from gradviz.graph import GraphError, SetValue
from gradviz.graph.elements import check_value


class ValueEditTool(QObject):
    """Enter applies (a bad number is refused with a message, the editor stays open with a red
    border); Escape or clicking elsewhere closes it without a change."""

    def __init__(self, view) -> None:
        super().__init__(view)
        self.view = view
        self.editor: QLineEdit | None = None

    def open(self, node_id: int) -> QLineEdit | None:
        view = self.view
        item = view.nodes.get(node_id)
        if item is None or not item.editable:
            return None
        self.close()
        rect = item.mapRectToScene(item.value_rect())
        view_rect = view.mapFromScene(rect).boundingRect()
        editor = QLineEdit(view.viewport())
        editor.setObjectName("graph-value-editor")
        editor.setText(repr(item.node.value))
        editor.selectAll()
        editor.setGeometry(view_rect.adjusted(-2, -4, 2, 4))
        f = editor.font()
        f.setPixelSize(max(12, round(14 * view.zoom())))
        editor.setFont(f)
        editor.returnPressed.connect(lambda: self._commit(node_id))
        editor.installEventFilter(self)
        editor.show()
        editor.setFocus()
        self.editor = editor
        return editor

    def _commit(self, node_id: int) -> None:
        if self.editor is None:
            return
        view = self.view
        text = self.editor.text().strip()
        try:
            value = check_value(float(text))
        except (ValueError, OverflowError) as exc:
            reason = str(exc) if isinstance(exc, GraphError) else f"{text!r} is not a number"
            view.status(f"Value not changed: {reason}")
            self.editor.setStyleSheet(f"border: 2px solid {view.style.error.name()};")
            return
        self.close()
        if node_id in view.graph and view.graph.node(node_id).value != value:
            view.push(SetValue(node_id, value, graph=view.graph))

    def close(self) -> None:
        if self.editor is not None:
            editor, self.editor = self.editor, None
            editor.removeEventFilter(self)
            editor.hide()
            editor.deleteLater()
            self.view.setFocus()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if obj is self.editor:
            if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape:
                self.close()
                return True
            if event.type() == QEvent.Type.FocusOut:
                self.close()
        return super().eventFilter(obj, event)
