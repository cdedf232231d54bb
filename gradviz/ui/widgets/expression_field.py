"""A one-line field for a user's function, with the parser's message in red underneath."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from gradviz.core.expr import ExpressionError
from gradviz.ui.theme import LIGHT, Theme


class QtExpressionField(QWidget):
    """Type an expression and press Enter: :attr:`accepted` carries the text when ``check``
    accepts it; otherwise the :class:`ExpressionError` message (with its column) shows in red and
    nothing is emitted, so the caller's last good function stays.

    Parameters
    ----------
    check
        Raises :class:`ExpressionError` for text that must be refused (usually a compile call).
    placeholder
        Grey hint shown while the field is empty.
    refusal, keeps
        How the message starts ("Cannot use this") and ends ("The last good function stays.").
    """

    accepted = Signal(str)

    def __init__(self, check: Callable[[str], object], placeholder: str = "",
                 parent: QWidget | None = None, *, refusal: str = "Cannot use this",
                 keeps: str = "The last good function stays.") -> None:
        super().__init__(parent)
        self._check = check
        self._refusal, self._keeps = refusal, keeps
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(placeholder)
        self.edit.returnPressed.connect(self._on_return)
        self.error = QLabel("")
        self.error.setObjectName("expression-error")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.edit)
        layout.addWidget(self.error)
        self.set_theme(LIGHT)

    def set_theme(self, theme: Theme) -> None:
        self.error.setStyleSheet(f"color: {theme.error};")

    def text(self) -> str:
        return self.edit.text()

    def show_source(self, source: str) -> None:
        """Show the model's current text (unless the user is editing something else)."""
        if not self.edit.hasFocus() or self.edit.text().strip() == source:
            self.edit.setText(source)
        self.error.hide()

    def start_custom(self) -> None:
        """Show the field and put the cursor in it, its text selected ("Custom…" was chosen)."""
        self.show()
        self.edit.setFocus()
        self.edit.selectAll()

    def _on_return(self) -> None:
        text = self.edit.text().strip()
        try:
            self._check(text)
        except ExpressionError as exc:
            where = f" (column {exc.column})" if exc.column else ""
            self.error.setText(f"{self._refusal}{where}: {exc.message}. {self._keeps}")
            self.error.show()
            return
        self.error.hide()
        self.accepted.emit(text)
