"""The graph as PyTorch code (with Copy), importing a pasted snippet, and graph JSON files."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QColor, QFont, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

SAMPLE = """x = torch.tensor(2.0, requires_grad=True)
y = torch.tensor(3.0, requires_grad=True)
z = x * y + x ** 2
z.backward()
"""


def monospace() -> QFont:
    f = QFont("DejaVu Sans Mono")
    f.setStyleHint(QFont.StyleHint.Monospace)
    f.setPixelSize(14)
    return f


class QtCodeView(QWidget):
    """Read-only code of the graph; buttons to copy it, import code, export and import JSON."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.text = QPlainTextEdit()
        self.text.setObjectName("graph-code")
        self.text.setReadOnly(True)
        self.text.setFont(monospace())
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        layout.addWidget(self.text, 1)
        row = QHBoxLayout()
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip("Copy the code to the clipboard: it runs as it is")
        self.import_button = QPushButton("Import code…")
        row.addWidget(self.copy_button)
        row.addWidget(self.import_button)
        layout.addLayout(row)
        row2 = QHBoxLayout()
        self.export_json_button = QPushButton("Export JSON…")
        self.import_json_button = QPushButton("Import JSON…")
        row2.addWidget(self.export_json_button)
        row2.addWidget(self.import_json_button)
        layout.addLayout(row2)
        self.copy_button.clicked.connect(self.copy)

    def set_code(self, code: str) -> None:
        if code != self.text.toPlainText():
            self.text.setPlainText(code)

    def copy(self) -> None:
        QApplication.clipboard().setText(self.text.toPlainText())


class QtImportCodeDialog(QDialog):
    """Paste a PyTorch snippet; an error names and highlights its line, the graph is unchanged.

    ``importer(source)`` returns None on success, or ``(line, message)``.
    """

    def __init__(self, importer: Callable[[str], tuple[int, str] | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import PyTorch code")
        self.importer = importer
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Paste PyTorch code. It is read, never run: tensors, + − * / **, "
                                "exp log sin cos tanh sigmoid relu, detach() and backward()."))
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("graph-import-editor")
        self.editor.setFont(monospace())
        self.editor.setPlainText(SAMPLE)
        layout.addWidget(self.editor, 1)
        self.error = QLabel("")
        self.error.setObjectName("graph-import-error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #CC3311;")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.try_import)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(620, 420)

    def try_import(self) -> bool:
        failure = self.importer(self.editor.toPlainText())
        if failure is None:
            self.accept()
            return True
        line, message = failure
        self.error.setText(message)
        self.highlight_line(line)
        return False

    def highlight_line(self, line: int) -> None:
        if line <= 0:
            self.editor.setExtraSelections([])
            return
        block = self.editor.document().findBlockByNumber(line - 1)
        if not block.isValid():
            return
        sel = QTextEdit.ExtraSelection()
        sel.format.setBackground(QColor(204, 51, 17, 70))
        sel.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        cursor = QTextCursor(block)
        sel.cursor = cursor
        self.editor.setExtraSelections([sel])
        self.editor.setTextCursor(cursor)
