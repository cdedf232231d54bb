"""A table that, while presenting, gives each column the width its text needs.

On a desktop the columns share the table's width equally (``Stretch``), which elides a long
cell when the table is narrow: acceptable beside editing chrome, not on a projector, where the
numbers and the row names are the point. While presenting, every column is as wide as its
header and cells need, the table asks its layout for that width (a wider table shares what is
left equally), and the columns named ``droppable`` (explanatory ones) hide while the table is
narrower than all its columns need, so what stays is never elided.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QHeaderView,
    QStyle,
    QStyleOptionHeader,
    QTableWidget,
    QWidget,
)


class QtFittingTable(QTableWidget):
    """A ``QTableWidget`` whose columns fit their text while presenting.

    Parameters
    ----------
    rows, columns
        The table's size.
    droppable
        Columns that may hide while presenting when the table is too narrow for all columns.
    parent
        The parent widget.
    """

    def __init__(self, rows: int, columns: int, droppable: tuple[int, ...] = (),
                 parent: QWidget | None = None) -> None:
        super().__init__(rows, columns, parent)
        self.droppable = droppable
        self.presenting = False
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # New text (a new h in "how") may need other widths.
        self.model().dataChanged.connect(self._on_text_changed)
        self.model().headerDataChanged.connect(self._on_text_changed)

    def set_presenting(self, on: bool) -> None:
        """Columns sized to their text (``on``), or sharing the width equally (desktop)."""
        self.presenting = on
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed if on
                                                     else QHeaderView.ResizeMode.Stretch)
        if not on:
            for column in self.droppable:
                self.setColumnHidden(column, False)
        self.updateGeometry()
        self._fit_columns()

    def _on_text_changed(self, *_args) -> None:
        if self.presenting:
            self.updateGeometry()
            self._fit_columns()

    def column_need(self, column: int) -> int:
        """The width ``column`` needs for its header and every cell, unelided."""
        return max(self._header_need(column), self.sizeHintForColumn(column))

    def _header_need(self, column: int) -> int:
        header = self.horizontalHeader()
        if not header.isSectionHidden(column):
            return header.sectionSizeHint(column)
        # A hidden section's hint is 0: ask the style what its title would need.
        option = QStyleOptionHeader()
        option.initFrom(header)
        item = self.horizontalHeaderItem(column)
        option.text = item.text() if item is not None else ""
        return header.style().sizeFromContents(QStyle.ContentsType.CT_HeaderSection, option,
                                               QSize(), header).width()

    def width_for(self, columns) -> int:
        """The table's width when showing ``columns`` unelided (frame and, unless it is off,
        the vertical scroll bar included)."""
        bar = (0 if self.verticalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
               else self.verticalScrollBar().sizeHint().width())
        return sum(self.column_need(c) for c in columns) + 2 * self.frameWidth() + bar

    def _kept(self) -> list[int]:
        return [c for c in range(self.columnCount()) if c not in self.droppable]

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = super().sizeHint()
        if self.presenting:
            hint.setWidth(self.width_for(range(self.columnCount())))
        return hint

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = super().minimumSizeHint()
        if self.presenting:
            hint.setWidth(self.width_for(self._kept()))
        return hint

    def _fit_columns(self) -> None:
        """Drop the droppable columns if the table is too narrow for all, then give each shown
        column its need and an equal part of the width left over."""
        if not self.presenting:
            return
        narrow = self.width() < self.width_for(range(self.columnCount()))
        for column in self.droppable:
            if self.isColumnHidden(column) != narrow:
                self.setColumnHidden(column, narrow)
        shown = [c for c in range(self.columnCount()) if not self.isColumnHidden(c)]
        if not shown:
            return
        needs = [self.column_need(c) for c in shown]
        spare = max(0, self.viewport().width() - sum(needs))
        for i, (column, need) in enumerate(zip(shown, needs, strict=True)):
            extra = spare // len(shown) + (1 if i < spare % len(shown) else 0)
            self.setColumnWidth(column, need + extra)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit_columns()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and self.presenting:
            self.updateGeometry()  # a scale changed the text: the widths it needs change too
            self._fit_columns()
