"""A row of controls that wraps onto a second line when its dock is too narrow for one.

Stepping rows (Play, Step, Back, Reset, the speed) are one line on a desktop; at presentation
scale, or beside another panel, the same buttons would push the panel wider than the screen.
:class:`QtWrapRow` lays its items out left to right and starts a new line where the next one
would not fit, so the row asks only for its widest item's width and, through
``heightForWidth``, for as many lines as its width needs.

Before it wraps, a row says the same in fewer pixels: a widget in it with a short text
(``SHORT_TEXT``: "↺" for "↺ Restart"; an empty one hides a label that only names the next
control) shows that text while the full texts would not fit one line, so at ×3 beside another
panel the stepping buttons stay one row; the full texts come back when the row is wide enough.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget, QWidgetItem

#: A widget's property: the text it shows while the row is too narrow for its full texts.
SHORT_TEXT = "gv_short_text"


class QtWrapRow(QLayout):
    """Items left to right, wrapping to a new line when the next one does not fit.

    Parameters
    ----------
    parent
        The widget the row lays out (optional, as for any ``QLayout``).
    spacing
        Pixels between items and between lines.
    """

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        #: The full texts of the widgets showing their short ones (empty: not compact).
        self._full: dict[QWidget, str] = {}
        self._full_width = 0
        self.setContentsMargins(0, 0, 0, 0)

    # -- the QLayout protocol --------------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt's name
        self._items.append(item)

    def add(self, widget: QWidget) -> None:
        """Add a widget (``addWidget`` reparents it, as any layout does)."""
        self.addChildWidget(widget)
        self.addItem(QWidgetItem(widget))
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt's name
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt's name
        super().setGeometry(rect)
        self._compact(rect.width())
        self._place(rect, move=True)

    # -- short texts -----------------------------------------------------------------------
    def _shortened(self) -> list[QWidget]:
        return [i.widget() for i in self._items
                if i.widget() is not None and i.widget().property(SHORT_TEXT) is not None]

    def _compact(self, width: int) -> None:
        """Short texts while the full ones do not fit ``width`` on one line (the one-line
        width of the full texts is measured while they show)."""
        widgets = self._shortened()
        if not widgets:
            return
        if not self._full:
            self._full_width = self.sizeHint().width()
        if (width < self._full_width) == bool(self._full):
            return
        # The state changes before the widgets do: showing one lays the row out again, here.
        if self._full:
            restored, self._full = self._full, {}
            for widget, text in restored.items():
                widget.setText(text)
                widget.setVisible(True)
            return
        self._full = {w: w.text() for w in widgets if not w.isHidden()}  # hidden: not ours
        for widget in list(self._full):
            short = widget.property(SHORT_TEXT)
            if short:
                widget.setText(short)
            else:
                widget.setVisible(False)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """Everything on one line."""
        shown = self._shown()
        width = sum(i.sizeHint().width() for i in shown) + self._gap * max(0, len(shown) - 1)
        height = max((i.sizeHint().height() for i in shown), default=0)
        return self._with_margins(QSize(width, height))

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt's name
        """The widest item (one item a line at worst)."""
        shown = self._shown()
        width = max((i.minimumSize().width() for i in shown), default=0)
        height = max((i.minimumSize().height() for i in shown), default=0)
        return self._with_margins(QSize(width, height))

    # -- placing ---------------------------------------------------------------------------
    def _shown(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    def _with_margins(self, size: QSize) -> QSize:
        m = self.contentsMargins()
        return QSize(size.width() + m.left() + m.right(), size.height() + m.top() + m.bottom())

    def _place(self, rect: QRect, move: bool) -> int:
        """Lay the items out in ``rect`` (only measure unless ``move``); returns the height."""
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, line = area.x(), area.y(), 0
        for item in self._shown():
            size = item.sizeHint().boundedTo(QSize(area.width(), item.sizeHint().height()))
            size = size.expandedTo(item.minimumSize())
            if x > area.x() and x + size.width() > area.right() + 1:
                x, y, line = area.x(), y + line + self._gap, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), size))
            x += size.width() + self._gap
            line = max(line, size.height())
        return y + line - rect.y() + m.bottom()
