"""A read-only code listing with the lines that matter highlighted."""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QTextEdit, QWidget

from gradviz.ui.theme import LIGHT, Theme

#: A listing never gets shorter than this many lines (it scrolls the rest).
MIN_LINES = 4


class QtHighlightedCode(QTextEdit):
    """Monospace, read-only, as tall as its lines where there is room (at least ``MIN_LINES``);
    :meth:`set_code` marks ``highlight`` rows."""

    def __init__(self, parent: QWidget | None = None, max_lines: int = 16) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setLineWrapMode(QTextEdit.LineWrapMode.NoWrap)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        # Clicker keys must reach the window, not scroll this view.
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.setFont(font)
        self._lines: tuple[str, ...] = ()
        self._highlight: tuple[int, ...] = ()
        self._theme: Theme = LIGHT
        self._max_lines = max_lines

    @property
    def lines(self) -> tuple[str, ...]:
        return self._lines

    @property
    def highlighted_lines(self) -> tuple[str, ...]:
        return tuple(self._lines[i] for i in self._highlight if 0 <= i < len(self._lines))

    def set_code(self, lines: Sequence[str], highlight: Sequence[int] = ()) -> None:
        self._lines = tuple(lines)
        self._highlight = tuple(highlight)
        self._render()

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self._render()

    def _render(self) -> None:
        t = self._theme
        mark = QColor(t.warning)
        mark.setAlpha(90)
        rgba = f"rgba({mark.red()},{mark.green()},{mark.blue()},{mark.alpha() / 255:.2f})"
        rows = []
        for i, line in enumerate(self._lines):
            text = html.escape(line) or "&nbsp;"
            if i in self._highlight:
                rows.append(f'<div style="background:{rgba};font-weight:bold;">{text}</div>')
            else:
                rows.append(f"<div>{text}</div>")
        self.setHtml(f'<div style="white-space:pre;color:{t.text};">{"".join(rows)}</div>')
        self._fit_height()

    def _height_for(self, lines: int) -> int:
        metrics = QFontMetrics(self.font())
        # Room for a horizontal scroll bar, so a long line never hides the last row.
        bar = self.horizontalScrollBar().sizeHint().height()
        return int(lines * metrics.lineSpacing() + 2 * self.frameWidth() + 14 + bar)

    def _fit_height(self) -> None:
        """As tall as its lines (up to ``max_lines``) where there is room; on a small screen it
        may shrink to ``MIN_LINES`` and scroll its own lines."""
        shown = min(max(len(self._lines), 1), self._max_lines)
        self.setMaximumHeight(self._height_for(shown))
        self.setMinimumHeight(self._height_for(min(shown, MIN_LINES)))
        self.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(super().sizeHint().width(), self.maximumHeight())

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        # Presentation scales the font: follow it (once built: the constructor sets a font too).
        if event.type() == QEvent.Type.FontChange and hasattr(self, "_max_lines"):
            self._fit_height()
