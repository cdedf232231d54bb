"""The graph as PyTorch code (Copy, import code, export and import JSON), and the dialog that
imports a pasted snippet."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from gradviz.ui.widgets.code_view import QtCodeView, monospace_font

SAMPLE = """x = torch.tensor(2.0, requires_grad=True)
y = torch.tensor(3.0, requires_grad=True)
z = x * y + x ** 2
z.backward()
"""
#: The code is read on a projector too: a size of its own rather than the system's small one.
CODE_PIXELS = 14


class QtGraphCodePane(QWidget):
    """The code of the graph (read-only) with buttons to copy it, import code, and export and
    import graph JSON (the panel connects the last three)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.listing = QtCodeView()
        self.listing.setObjectName("graph-code")
        self.listing.setAccessibleName("The graph as PyTorch code")
        self.listing.setFont(monospace_font(CODE_PIXELS))
        layout.addWidget(self.listing, 1)
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip("Copy the code to the clipboard: it runs as it is")
        self.copy_button.clicked.connect(self.listing.copy_all)
        self.import_button = QPushButton("Import code…")
        self.export_json_button = QPushButton("Export JSON…")
        self.import_json_button = QPushButton("Import JSON…")
        for pair in ((self.copy_button, self.import_button),
                     (self.export_json_button, self.import_json_button)):
            row = QHBoxLayout()
            for button in pair:
                row.addWidget(button)
            layout.addLayout(row)

    def set_code(self, code: str) -> None:
        self.listing.set_code(code)

    def code(self) -> str:
        return self.listing.code()


class QtCodeEditor(QtCodeView):
    """The listing made editable, for typing or pasting a snippet: same font and colours;
    :meth:`mark_error_line` puts the cursor on a line the importer refused and tints it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent=parent)
        self.setReadOnly(False)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFont(monospace_font(CODE_PIXELS))

    def mark_error_line(self, line: int) -> None:
        """Tint line ``line`` (1-based) and move the cursor there; 0 or less clears the tint."""
        if line <= 0:
            self.setExtraSelections([])
            return
        block = self.document().findBlockByNumber(line - 1)
        if not block.isValid():
            return
        sel = QTextEdit.ExtraSelection()
        sel.format.setBackground(QColor(204, 51, 17, 70))
        sel.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        cursor = QTextCursor(block)
        sel.cursor = cursor
        self.setExtraSelections([sel])
        self.setTextCursor(cursor)


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
        self.editor = QtCodeEditor()
        self.editor.setObjectName("graph-import-editor")
        self.editor.setAccessibleName("PyTorch code to import")
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
        self.editor.mark_error_line(line)
        return False
