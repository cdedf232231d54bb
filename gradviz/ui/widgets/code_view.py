"""A read-only code listing with a Copy button: the Code view of the panels."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class QtCodeView(QWidget):
    """Shows a PyTorch snippet that reproduces a panel's state; **Copy** puts it on the clipboard.

    Parameters
    ----------
    caption
        One line above the listing saying what the snippet does.
    """

    def __init__(self, caption: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.caption = QLabel(caption)
        self.caption.setWordWrap(True)
        self.copy_button = QPushButton("Copy")
        self.copy_button.setObjectName("copy-code")
        self.copy_button.setToolTip("Copy the code to the clipboard")
        self.copy_button.clicked.connect(self.copy)
        self.copied = QLabel("")
        top.addWidget(self.caption, 1)
        top.addWidget(self.copied)
        top.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addLayout(top)
        self.editor = QPlainTextEdit()
        self.editor.setReadOnly(True)
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        # Clicker keys (PageDown/PageUp) must reach the window, not scroll the listing.
        self.editor.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        layout.addWidget(self.editor, 1)
        self._clear_copied = QTimer(self)
        self._clear_copied.setSingleShot(True)
        self._clear_copied.setInterval(2000)
        self._clear_copied.timeout.connect(lambda: self.copied.setText(""))

    def set_code(self, code: str) -> None:
        if code != self.editor.toPlainText():
            self.editor.setPlainText(code)

    def code(self) -> str:
        return self.editor.toPlainText()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.code())
        self.copied.setText("copied")
        self._clear_copied.start()
