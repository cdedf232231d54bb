"""A friendly box for an error PyTorch really raised: its exact message, what it means, the fix."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from gradviz.core.trap import TorchError
from gradviz.ui.theme import LIGHT, Theme


class QtTorchErrorBox(QFrame):
    """Hidden until :meth:`show_error` gets a :class:`~gradviz.core.trap.TorchError`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("torchErrorBox")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.message.setFont(mono)
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.fix = QLabel()
        self.fix.setWordWrap(True)
        self.fix.setTextFormat(Qt.TextFormat.RichText)
        for w in (self.title, self.message, self.explanation, self.fix):
            layout.addWidget(w)
        self.error: TorchError | None = None
        self._theme: Theme = LIGHT
        self.set_theme(LIGHT)
        self.hide()

    def show_error(self, error: TorchError | None) -> None:
        self.error = error
        if error is None:
            self.hide()
            return
        self.title.setText(f"<b>PyTorch raised {error.exc_type}</b> — this is the real message:")
        self.message.setText(error.message)
        self.explanation.setText(error.explanation)
        self.fix.setText(f"<b>Fix:</b> {error.fix}")
        self.show()

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.setStyleSheet(
            f"#torchErrorBox {{ border: 2px solid {theme.error}; border-radius: 6px; "
            f"background: {theme.base}; }}")
        self.title.setStyleSheet(f"color: {theme.error};")
