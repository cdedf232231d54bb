"""The one-line entry above the canvas: type PyTorch statements, Enter adds them to the graph.

``x = torch.tensor(2.0, requires_grad=True); y = torch.tensor(3.0, requires_grad=True)`` then
``z = x*y + x**2`` then ``w = z * y``: each Enter is one undo step
(:class:`gradviz.graph.typed_line.TypeLine`). A refused line stays in the entry with the caret at
the column the error names and the message beside it; nothing changes. Up/Down recall earlier
lines, as in a shell.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

from gradviz.graph import CodeImportError, Graph
from gradviz.graph.typed_line import MAX_LINE_CHARS, TypeLine

HISTORY = 50


class _Entry(QLineEdit):
    """A line edit with a shell's Up/Down history."""

    def __init__(self) -> None:
        super().__init__()
        self.history: list[str] = []
        self._at = 0

    def remember(self, text: str) -> None:
        if text and (not self.history or self.history[-1] != text):
            self.history = (self.history + [text])[-HISTORY:]
        self._at = len(self.history)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        key = event.key()
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and self.history:
            self._at = max(0, min(len(self.history), self._at + (-1 if key == Qt.Key.Key_Up else 1)))
            self.setText(self.history[self._at] if self._at < len(self.history) else "")
            return
        super().keyPressEvent(event)


class QtTypedLine(QWidget):
    """``>>> [entry]  message``; ``push`` runs a graph command through the undo stack."""

    def __init__(self, graph: Graph, push: Callable[[Any], bool]) -> None:
        super().__init__()
        self.setObjectName("section-typed-line")
        self.graph = graph
        self.push = push
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        prompt = QLabel(">>>")
        prompt.setObjectName("typed-line-prompt")
        self.entry = _Entry()
        self.entry.setObjectName("typed-line")
        self.entry.setMaxLength(MAX_LINE_CHARS)
        self.entry.setPlaceholderText("type PyTorch, e.g. z = x * y + x ** 2   (Enter adds it; "
                                      "separate statements with ;)")
        self.entry.setAccessibleName("type a line of PyTorch to add to the graph")
        self.entry.setToolTip("Statements separated by ';'. Leaves as in code: "
                              "x = torch.tensor(2.0, requires_grad=True). Up/Down recall lines.")
        self.message = QLabel("")
        self.message.setObjectName("typed-line-message")
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # user text: never markup
        self.message.setWordWrap(True)
        row.addWidget(prompt)
        row.addWidget(self.entry, 3)
        row.addWidget(self.message, 2)
        self.entry.returnPressed.connect(self.submit)
        self.entry.textEdited.connect(lambda _text: self.message.setText(""))

    def submit(self) -> bool:
        """Add the entry's statements; on a refusal keep the text and point at the column."""
        text = self.entry.text()
        try:
            command = TypeLine(self.graph, text)
        except CodeImportError as exc:
            where = f"column {exc.column}: " if exc.column else ""
            self.message.setText(f"{where}{exc.message}")
            if exc.column:
                self.entry.setCursorPosition(max(0, exc.column - 1))
            self.entry.remember(text)
            return False
        if not self.push(command):
            self.message.setText("the graph refused this line (see the status bar)")
            return False
        self.entry.remember(text)
        self.entry.clear()
        self.message.setText(f"added: {command.label.removeprefix('Type ')}")
        return True

    def set_error_colour(self, colour: str) -> None:
        self.message.setStyleSheet(f"color: {colour};")
