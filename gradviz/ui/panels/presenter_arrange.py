"""Where a panel's kept controls go while it presents (``Presenter.overlay`` and ``.row``).

In a side column the controls cost the visualization its share of a projector screen. While
presenting, the live readouts a panel names in ``overlay`` float over the visualization's
top-right corner, and the sections it names in ``row`` stand side by side in one row under it,
so the visualization spans the panel's whole width. Every widget moved goes back to exactly
where it was (layout, position, stretch) when presenting stops. Nothing here knows what is
inside a section: the declaration alone decides.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QMargins, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QHBoxLayout,
    QLayout,
    QSizePolicy,
    QSplitter,
    QWidget,
)

from gradviz.ui.panels.readout_overlay import QtReadoutOverlay

#: In the row, a section's stretch is the width it would like in units of this many pixels.
ROW_STRETCH_PX = 20
#: The panel's margins and spacing while presenting (the desktop's 6 px cost the plot rows).
PRESENT_MARGIN = 0
PRESENT_SPACING = 0
PRESENT_BODY_SPACING = 2


def _layout_holding(layout: QLayout | None, widget: QWidget) -> QLayout | None:
    """The layout (``layout`` or one nested in it) with ``widget`` as a direct item."""
    if layout is None:
        return None
    if layout.indexOf(widget) >= 0:
        return layout
    for i in range(layout.count()):
        found = _layout_holding(layout.itemAt(i).layout(), widget)
        if found is not None:
            return found
    return None


class _Slot:
    """Where a widget sat before presenting moved it, to put it back exactly there."""

    def __init__(self, widget: QWidget) -> None:
        self.widget = widget
        self.hidden = widget.isHidden()
        parent = widget.parentWidget()
        self.splitter = parent if isinstance(parent, QSplitter) else None
        self.index = self.splitter.indexOf(widget) if self.splitter is not None else -1
        self.layout = None if self.splitter is not None else _layout_holding(
            parent.layout() if parent is not None else None, widget)
        self.place: tuple = ()
        if self.layout is not None:
            index = self.layout.indexOf(widget)
            if isinstance(self.layout, QGridLayout):
                self.place = self.layout.getItemPosition(index)
            elif isinstance(self.layout, QBoxLayout):
                item = self.layout.itemAt(index)
                self.place = (index, self.layout.stretch(index), item.alignment())

    @property
    def known(self) -> bool:
        return self.splitter is not None or bool(self.place)

    def restore(self) -> None:
        w = self.widget
        if self.splitter is not None:
            self.splitter.insertWidget(self.index, w)
        elif isinstance(self.layout, QGridLayout):
            self.layout.addWidget(w, *self.place)
        elif isinstance(self.layout, QBoxLayout):
            index, stretch, alignment = self.place
            self.layout.insertWidget(index, w, stretch, alignment)
        w.setVisible(not self.hidden)


class QtPresenterRow(QWidget):
    """The row under the visualization: as low as its contents allow (a table in it shows a
    few lines and scrolls), so the visualization keeps every pixel it can. Narrower than its
    sections would like side by side, it stacks them (a slider under a table, not a table
    squeezed until its numbers are elided)."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("presenter-row")
        self.line = QHBoxLayout(self)
        self.line.setContentsMargins(0, 0, 0, 0)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(super().sizeHint().width(), self.minimumSizeHint().height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """As narrow as the widest section: narrower than one line needs, the row stacks."""
        hint = super().minimumSizeHint()
        return QSize(max((i.minimumSize().width() for i in self._shown()), default=0),
                     hint.height())

    def _shown(self) -> list:
        items = [self.line.itemAt(i) for i in range(self.line.count())]
        return [i for i in items if i.widget() is not None and not i.widget().isHidden()]

    def side_by_side_width(self) -> int:
        """The least width the shown sections need in one line."""
        shown = self._shown()
        return (sum(i.minimumSize().width() for i in shown)
                + self.line.spacing() * max(0, len(shown) - 1))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._choose_direction()

    def event(self, event: QEvent) -> bool:
        # A new scale changes what the sections need while the row keeps its width.
        if event.type() == QEvent.Type.LayoutRequest:
            self._choose_direction()
        return super().event(event)

    def _choose_direction(self) -> None:
        across = self.width() >= self.side_by_side_width()
        direction = (QBoxLayout.Direction.LeftToRight if across
                     else QBoxLayout.Direction.TopToBottom)
        if self.line.direction() != direction:
            self.line.setDirection(direction)
            self.updateGeometry()  # stacked, the row is taller: the panel lays out again


class QtPresenterArrangement:
    """The moves one panel makes while presenting, and their undoing.

    Parameters
    ----------
    panel
        The panel; its outer layout gets the row, right under its body.
    """

    def __init__(self, panel: QWidget) -> None:
        self.panel = panel
        self.slots: list[_Slot] = []
        self.overlay: QtReadoutOverlay | None = None
        self.row: QtPresenterRow | None = None
        self.emptied: list[QWidget] = []
        self.spacing: tuple[QMargins, int, int] | None = None

    def find(self, name: str) -> QWidget | None:
        """A section (``section-<name>``) or, failing that, a widget named ``name``."""
        return (self.panel.findChild(QWidget, f"section-{name}")
                or self.panel.findChild(QWidget, name))

    def apply(self, view: QWidget | None, overlay: tuple[str, ...], row: tuple[str, ...]) -> None:
        """Float ``overlay`` over ``view`` and lay ``row`` under it (once; undone by
        :meth:`restore`)."""
        if view is None or self.spacing is not None:
            return
        in_row = [w for w in map(self.find, row) if w is not None and w is not view]
        if in_row:
            self.row = QtPresenterRow()
            line = self.row.line
            outer = self.panel.layout()
            outer.insertWidget(outer.indexOf(self.panel.body) + 1, self.row)
            self.row.show()  # now, not when Qt's queued show comes: the fit is measured first
            for widget in in_row:
                self._move(widget, line)
        floating = [w for w in map(self.find, overlay) if w is not None and w is not view]
        if floating:
            host = view
            while isinstance(host, QSplitter) and host.count():
                host = host.widget(0)  # a splitter would take the overlay as a pane of its own
            self.overlay = QtReadoutOverlay(host)
            for widget in floating:
                self._move(widget, self.overlay.box)
            self.overlay.show()
            self.overlay.place()
        self._hide_emptied(view)
        outer, body = self.panel.layout(), self.panel.body_layout
        self.spacing = (outer.contentsMargins(), outer.spacing(), body.spacing())
        outer.setContentsMargins(*[PRESENT_MARGIN] * 4)
        outer.setSpacing(PRESENT_SPACING)
        body.setSpacing(PRESENT_BODY_SPACING)

    def _hide_emptied(self, view: QWidget) -> None:
        """Panes of the splitters around ``view`` left with nothing to show (their sections
        moved into the row or folded) hide, and their handles with them."""
        child = view
        while child is not None and child is not self.panel:
            splitter = child.parentWidget()
            if isinstance(splitter, QSplitter):
                for i in range(splitter.count()):
                    pane = splitter.widget(i)
                    if pane is not child and not pane.isHidden() and not any(
                            w.isVisibleTo(pane) for w in pane.findChildren(QWidget)):
                        pane.hide()
                        self.emptied.append(pane)
            child = splitter

    def _move(self, widget: QWidget, into: QBoxLayout) -> None:
        slot = _Slot(widget)
        if not slot.known:
            return  # not in a layout we know how to put it back into: leave it be
        self.slots.append(slot)
        # In the row each section's share of the width follows the width it would like (a
        # six-column table next to a slider gets most of it).
        in_row = into.direction() == QBoxLayout.Direction.LeftToRight
        stretch = max(1, widget.sizeHint().width() // ROW_STRETCH_PX) if in_row else 0
        into.addWidget(widget, stretch, Qt.AlignmentFlag(0))
        widget.setVisible(not slot.hidden)

    def restore(self) -> None:
        if self.overlay is not None:
            self.overlay.restore_fonts()  # before its labels go home: they keep no shrunk type
        for pane in self.emptied:
            pane.show()
        self.emptied.clear()
        for slot in reversed(self.slots):
            slot.restore()
        self.slots.clear()
        if self.spacing is not None:
            margins, spacing, body = self.spacing
            self.panel.layout().setContentsMargins(margins)
            self.panel.layout().setSpacing(spacing)
            self.panel.body_layout.setSpacing(body)
            self.spacing = None
        for holder in (self.overlay, self.row):
            if holder is not None:
                holder.hide()
                holder.setParent(None)
                holder.deleteLater()
        self.overlay = self.row = None
