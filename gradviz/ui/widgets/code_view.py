"""The one code listing of the app: PyTorch snippets that reproduce what a panel shows.

Monospace, read-only, Python coloured by syntax, the lines that matter marked (bold on a tinted
band), **Copy all** in its context menu and, with a caption, a Copy button beside it; with
``max_lines`` it is as tall as its code (up to that many lines) where there is room, for
listings that sit among a panel's controls.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QRect, QSize, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetrics,
    QGuiApplication,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QWidget,
)

from gradviz.ui.theme import LIGHT, Theme

#: A listing sized to its code never gets shorter than this many lines (it scrolls the rest).
MIN_LINES = 4
#: Python's keywords and the literals that read like them, as one pattern.
_KEYWORDS = re.compile(r"\b(?:" + "|".join(keyword.kwlist) + r")\b")
_STRING = re.compile(r"""("[^"\\]*(?:\\.[^"\\]*)*"|'[^'\\]*(?:\\.[^'\\]*)*')""")
_COMMENT = re.compile(r"#.*$")


def monospace_font(pixels: int | None = None) -> QFont:
    """The system's fixed-width font, at ``pixels`` pixels if given."""
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setStyleHint(QFont.StyleHint.Monospace)
    if pixels is not None:
        font.setPixelSize(pixels)
    return font


def _format(colour: str, italic: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(colour))
    fmt.setFontItalic(italic)
    return fmt


class PythonHighlighter(QSyntaxHighlighter):
    """Colours keywords, strings and comments one line at a time, in the theme's
    colours, and sets the rows in :attr:`marked` in bold. Snippets have no multi-line strings,
    so no state passes from one line to the next."""

    def __init__(self, document, theme: Theme = LIGHT) -> None:
        super().__init__(document)
        self.marked: frozenset[int] = frozenset()
        self.set_theme(theme)

    def set_theme(self, theme: Theme) -> None:
        # Later rules win: a keyword inside a string or a comment takes the string's colour.
        # Numbers keep the text colour: they are what the reader compares with the panel, and
        # the theme's orange is too pale on white for a projector.
        self._rules = ((_KEYWORDS, _format(theme.accent)), (_STRING, _format(theme.neutral)),
                       (_COMMENT, _format(theme.muted, True)))

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt's name
        marked = self.currentBlock().blockNumber() in self.marked
        if marked:
            bold = QTextCharFormat()
            bold.setFontWeight(QFont.Weight.Bold)
            self.setFormat(0, len(text), bold)
        for pattern, rule in self._rules:
            if marked and pattern is _COMMENT:
                continue  # on a marked row the comment says why: it must not fade
            fmt = QTextCharFormat(rule)
            if marked:
                fmt.setFontWeight(QFont.Weight.Bold)
            for m in pattern.finditer(text):
                self.setFormat(m.start(), m.end() - m.start(), fmt)


class QtCodeView(QPlainTextEdit):
    """A read-only code listing; :meth:`set_code` fills it and marks the rows that matter.

    Parameters
    ----------
    caption
        A line above the listing saying what the snippet does, with a **Copy** button beside
        it; None: the listing alone (Copy all is in its context menu).
    parent
        The parent widget.
    max_lines
        If given, the listing is as tall as its code, up to this many lines, where there is
        room (at least ``MIN_LINES`` lines where there is not).
    """

    def __init__(self, caption: str | None = None, parent: QWidget | None = None, *,
                 max_lines: int | None = None) -> None:
        super().__init__(parent)
        self._lines: tuple[str, ...] = ()
        self._highlight: tuple[int, ...] = ()
        self._theme = LIGHT
        self._max_lines = max_lines
        self.highlighter = PythonHighlighter(self.document())
        self._build_bar(caption)
        # Screen readers name the listing by what it shows.
        self.setAccessibleName(caption or "Code listing")
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(monospace_font())
        # Clicker keys (PageDown/PageUp) must reach the window, not scroll the listing.
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self._fit_height()

    def _build_bar(self, caption: str | None) -> None:
        """The caption row, in the frame above the text (a viewport margin keeps it clear)."""
        self.bar = QWidget(self)
        # The caption is prose: the application's font, not the listing's monospace one.
        self.bar.setFont(QApplication.font())
        row = QHBoxLayout(self.bar)
        row.setContentsMargins(6, 4, 4, 4)
        self.caption = QLabel(caption or "")
        self.caption.setWordWrap(True)
        self.copied = QLabel("")
        self.copy_button = QPushButton("Copy")
        self.copy_button.setObjectName("copy-code")
        self.copy_button.setToolTip("Copy the code to the clipboard")
        self.copy_button.clicked.connect(self.copy_all)
        row.addWidget(self.caption, 1)
        row.addWidget(self.copied)
        row.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignRight)
        self.bar.setVisible(caption is not None)
        # The vertical scroll bar runs beside the caption too: keep the Copy button clear of it.
        self.verticalScrollBar().rangeChanged.connect(lambda *_: self._place_bar())
        self._clear_copied = QTimer(self)
        self._clear_copied.setSingleShot(True)
        self._clear_copied.setInterval(2000)
        self._clear_copied.timeout.connect(lambda: self.copied.setText(""))

    @property
    def editor(self) -> QtCodeView:
        """The text edit: the listing itself (the old ``QtCodeView`` wrapped one by that name;
        callers still reaching for ``.editor`` can drop it)."""
        return self

    # -- content ---------------------------------------------------------------------------
    @property
    def lines(self) -> tuple[str, ...]:
        return self._lines

    @property
    def highlighted_lines(self) -> tuple[str, ...]:
        return tuple(self._lines[i] for i in self._highlight if 0 <= i < len(self._lines))

    def set_code(self, code: str | Sequence[str], highlight: Sequence[int] = ()) -> None:
        """Show ``code`` (one string, or its lines) with the rows ``highlight`` (0-based)
        marked. Unchanged code keeps the scroll position."""
        text = code if isinstance(code, str) else "\n".join(code)
        highlight = tuple(highlight)
        if text == self.toPlainText() and highlight == self._highlight:
            return
        self._lines = tuple(text.splitlines())
        self._highlight = highlight
        self.highlighter.marked = frozenset(highlight)
        if text != self.toPlainText():
            self.setPlainText(text)  # highlights as it goes
        else:
            self.highlighter.rehighlight()
        self._mark_rows()
        self._fit_height()

    def code(self) -> str:
        return self.toPlainText()

    def copy_all(self) -> None:
        """The whole listing to the clipboard (it runs as it is)."""
        QGuiApplication.clipboard().setText(self.code())
        self.copied.setText("copied")
        self._clear_copied.start()

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.highlighter.set_theme(theme)
        self.highlighter.rehighlight()
        self._mark_rows()

    def _mark_rows(self) -> None:
        band = QColor(self._theme.warning)
        band.setAlpha(90)
        marks = []
        for row in self._highlight:
            block = self.document().findBlockByNumber(row)
            if not block.isValid():
                continue
            sel = QTextEdit.ExtraSelection()
            sel.format.setBackground(band)
            sel.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
            sel.cursor = QTextCursor(block)
            marks.append(sel)
        self.setExtraSelections(marks)

    # -- size ------------------------------------------------------------------------------
    def _bar_height(self) -> int:
        if not self.bar.isVisibleTo(self):
            return 0
        width = max(1, self.contentsRect().width())
        layout = self.bar.layout()
        return layout.heightForWidth(width) if layout.hasHeightForWidth() \
            else self.bar.sizeHint().height()

    def _height_for(self, lines: int) -> int:
        metrics = QFontMetrics(self.font())
        # Room for a horizontal scroll bar, so a long line never hides the last row.
        scroll_bar = self.horizontalScrollBar().sizeHint().height()
        return int(lines * metrics.lineSpacing() + 2 * self.frameWidth() + 14 + scroll_bar
                   + self._bar_height())

    def _fit_height(self) -> None:
        """With ``max_lines``: as tall as the code where there is room; where there is not
        (a laptop, presentation type) down to ``MIN_LINES`` lines, scrolling the rest."""
        if self._max_lines is None:
            return
        shown = min(max(len(self._lines), 1), self._max_lines)
        self.setMaximumHeight(self._height_for(shown))
        self.setMinimumHeight(self._height_for(min(shown, MIN_LINES)))
        self.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = super().sizeHint()
        if self._max_lines is not None:
            hint.setHeight(self.maximumHeight())
        return hint

    def _place_bar(self) -> None:
        height = self._bar_height()
        self.setViewportMargins(0, height, 0, 0)
        if height:
            r = self.contentsRect()
            bar = self.verticalScrollBar()
            room = bar.sizeHint().width() if bar.maximum() > bar.minimum() else 0
            self.bar.setGeometry(QRect(r.left(), r.top(), r.width() - room, height))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._place_bar()

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # e.g. presentation mode scaled it
            self._fit_height()

    def contextMenuEvent(self, event) -> None:  # noqa: N802 - Qt's name
        menu = self.createStandardContextMenu()
        menu.addSeparator()
        menu.addAction("Copy all", self.copy_all)
        menu.exec(event.globalPos())
        menu.deleteLater()
