"""How presentation mode lays a scene out on the screen it has: the scene's panels side by side
(three or more in a grid), each folded to its presenter layout and, where it still does not fit,
its secondary sections folded too; the caption wraps and shrinks its font rather than be cut.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gradviz.ui.panels.presenting import section_title
from gradviz.ui.panels.readout_overlay import QtReadoutOverlay

if TYPE_CHECKING:
    from gradviz.ui.main_window import QtMainWindow

#: Qt's "no maximum" for a widget's size.
QWIDGETSIZE_MAX = (1 << 24) - 1
#: A caption wraps to at most this many lines before its font shrinks.
CAPTION_LINES = 2
#: The caption's type relative to the (scaled) application font, and how small it may get.
CAPTION_SIZE = 1.6
CAPTION_FLOOR = 1.0
#: Room around the caption's text (top, right, bottom, left), as CSS.
CAPTION_PADDING = "6px 16px 2px 16px"
#: Folding sections to fit stops after this many rounds (a panel has a handful of sections).
FIT_ROUNDS = 12
#: Issue 14: the visualization covers this share of the screen's area in a one-panel scene …
ONE_PANEL_AREA = 0.65
#: … and this share of its width in a two-panel scene.
TWO_PANEL_WIDTH = 0.40
#: Where secondary controls may drop, the visualization keeps at least this share of its
#: panel's height: explanatory text above or under it (a banner, a formula) folds first.
VIEW_HEIGHT = 0.6


def grid_shape(count: int) -> tuple[int, int]:
    """Columns and rows for ``count`` panels: one row up to two, then as square as can be."""
    if count <= 2:
        return count, 1
    columns = math.ceil(math.sqrt(count))
    return columns, math.ceil(count / columns)


def show_side_by_side(window: QtMainWindow, names: list[str]) -> bool:
    """Show only the panels ``names`` (side by side; three or more in a grid, in reading order)
    and hide every other dock. Returns False (and changes nothing) when none of the names is a
    dock of this window."""
    # A page's old name ("traced") stands for its panel's dock, which is laid out once.
    names = list(dict.fromkeys(window.docks[n].spec.name for n in names if n in window.docks))
    if not names:
        return False
    for name, dock in window.docks.items():
        if name not in names:
            dock.hide()
    docks = [window.docks[n] for n in names]
    for dock in docks:
        # Out of any tab group first: a dock tabbed with hidden ones would share their place.
        window.removeDockWidget(dock)
        dock.setFloating(False)
    columns, _ = grid_shape(len(docks))
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, docks[0])
    docks[0].show()
    for i in range(1, columns):  # the first row, left to right
        window.splitDockWidget(docks[i - 1], docks[i], Qt.Orientation.Horizontal)
        docks[i].show()
    for i in range(columns, len(docks)):  # then each column grows downwards
        window.splitDockWidget(docks[i - columns], docks[i], Qt.Orientation.Vertical)
        docks[i].show()
    if columns > 1:
        width = max(1, window.width() // columns)
        window.resizeDocks(docks[:columns], [width] * columns, Qt.Orientation.Horizontal)
    for dock in docks:
        dock.ensure_panel()
    window._last_panel = names[0]  # the clicker steps the scene's first panel
    return True


def overflows(dock: QDockWidget) -> bool:
    """The panel does not fit: its dock's scroll area would scroll, or wrapped text in it is
    cut (a splitter pane can be squeezed below what its text needs without any scrolling)."""
    scroll = dock.widget()
    if not isinstance(scroll, QScrollArea):
        return False
    if scroll.verticalScrollBar().maximum() > 0 or scroll.horizontalScrollBar().maximum() > 0:
        return True
    # The scroll bars follow a change of the content's minimum only once the scroll area has
    # handled it (a section shown again just now): ask the content itself too.
    least = scroll.widget().minimumSizeHint()
    room = scroll.viewport().size()
    if least.width() > room.width() or least.height() > room.height():
        return True
    if any(o.crowds() for o in scroll.widget().findChildren(QtReadoutOverlay)):
        return True
    return any(label.wordWrap() and label.isVisible()
               and label.height() < label.heightForWidth(label.width())
               for label in scroll.widget().findChildren(QLabel))


def settle_layouts() -> None:
    """Run pending layout passes (and nothing else: no input is handled in between)."""
    for _ in range(4):
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)


def fold_to_fit(window: QtMainWindow, names: list[str], shown_too: bool = False) -> list[str]:
    """Fold secondary sections of the panels ``names`` until each fits its dock; returns what
    was folded, as "Panel title: Section". ``shown_too``: shown sections other than the
    visualization and the stepping controls may go too (see :func:`may_drop_secondary`)."""
    folded: list[str] = []
    docks = [window.docks[n] for n in names if n in window.docks]
    for _ in range(FIT_ROUNDS):
        settle_layouts()
        progressed = False
        for dock in docks:
            if dock.panel is not None and overflows(dock):
                # (a panel's own fold_for_fit may not know shown_too: ask only when it applies)
                name = (dock.panel.fold_for_fit(shown_too=True) if shown_too
                        else dock.panel.fold_for_fit())
                if name is not None:
                    folded.append(f"{dock.spec.title}: {section_title(name)}")
                    progressed = True
        if not progressed:
            break
    settle_layouts()
    return folded


def may_drop_secondary(screen: QRect, scale: float) -> bool:
    """Issue 14: secondary controls may drop out at ×2 on a 1280×720 screen and from ×2.5 on
    (the visualization and the stepping controls never do)."""
    small = screen.width() <= 1280 and screen.height() <= 720
    return scale >= 2.5 or (scale >= 2.0 and small)


def visualization_short(dock: QDockWidget, screen: QRect, panels: int) -> bool:
    """Whether the panel's visualization covers less of ``screen`` than issue 14 asks for a
    scene of ``panels`` panels (one: area; two: width; more: no rule)."""
    view = dock.panel.presenter_sections.visualization() if dock.panel is not None else None
    if view is None or not view.isVisible() or panels > 2:
        return False
    if panels == 1:
        return view.width() * view.height() < ONE_PANEL_AREA * screen.width() * screen.height()
    return view.width() < TWO_PANEL_WIDTH * screen.width()


def visualization_low(dock: QDockWidget) -> bool:
    """Whether the panel's visualization has less than ``VIEW_HEIGHT`` of its panel's height
    (a two-panel scene's width share says nothing of the height text above it takes)."""
    view = dock.panel.presenter_sections.visualization() if dock.panel is not None else None
    scroll = dock.widget()
    if view is None or not view.isVisible() or not isinstance(scroll, QScrollArea):
        return False
    return view.height() < VIEW_HEIGHT * scroll.viewport().height()


def fold_for_share(window: QtMainWindow, names: list[str], scale: float) -> list[str]:
    """Where secondary controls may drop out (:func:`may_drop_secondary`), fold them, and then
    shown sections other than the visualization and the stepping controls, until each panel's
    visualization has its share of the screen; and secondary sections (explanatory text)
    until it has ``VIEW_HEIGHT`` of its panel's height. Returns what was folded."""
    screen = window.screen().geometry()
    docks = [window.docks[n] for n in names if n in window.docks]
    if not may_drop_secondary(screen, scale) or len(docks) > 2:
        return []
    folded: list[str] = []
    for _ in range(FIT_ROUNDS):
        settle_layouts()
        progressed = False
        for dock in docks:
            if dock.panel is None:
                continue
            dock.panel.presenter_sections.favour_visualization()
            settle_layouts()
            name = None
            if visualization_short(dock, screen, len(docks)):
                name = dock.panel.fold_for_fit(shown_too=True)
            elif visualization_low(dock):
                name = dock.panel.fold_for_fit()
            if name is not None:
                folded.append(f"{dock.spec.title}: {section_title(name)}")
                progressed = True
        if not progressed:
            break
    return folded


def wrapped_lines(text: str, font: QFont, width: int) -> int:
    """How many lines ``text`` takes, word-wrapped at ``width`` pixels in ``font``."""
    fm = QFontMetricsF(font)
    flags = int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignCenter)
    height = fm.boundingRect(QRectF(0, 0, max(1, width), 1_000_000), flags, text).height()
    return max(1, round(height / fm.lineSpacing()))


def _plain_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)  # captions come from files: never markup
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


class QtCaptionBox(QWidget):
    """The caption (``presentation-caption``) and, under it, the presentation's status line
    (``presentation-status``: what was folded to fit).

    The caption's font is ``CAPTION_SIZE`` × the application font at the scale; when the text
    would take more than ``CAPTION_LINES`` lines at the width it has, the font shrinks (down to
    ``CAPTION_FLOOR`` × that font); whatever the font, the label asks for the height its
    wrapped text needs, so the caption is never cut.
    """

    #: The height the box needs now (the window sizes the dock area above the panels to it).
    height_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("presentation-caption-box")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.label = _plain_label("presentation-caption")
        self.status = _plain_label("presentation-status")
        self.status.setVisible(False)
        layout.addWidget(self.label)
        layout.addWidget(self.status)
        self.base = QFont(QApplication.font())
        self.scale = 1.0
        self.label.installEventFilter(self)

    def set_style(self, base: QFont, scale: float, colour: str, background: str) -> None:
        self.base, self.scale = QFont(base), scale
        # A style sheet sets a label's contents margins from its padding (and to 0 without).
        self.setStyleSheet(f"* {{ color: {colour}; background: {background}; }} "
                           f"QLabel#presentation-caption {{ padding: {CAPTION_PADDING}; }}")
        small = QFont(base)
        small.setItalic(True)
        self.status.setFont(small)
        self.fit()

    def set_text(self, text: str) -> None:
        self.label.setText(text)
        self.fit()

    def set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))
        self._fix_height()

    def text_width(self) -> int:
        m = self.label.contentsMargins()
        width = self.label.width() if self.label.width() > 1 else self.window().width()
        return width - m.left() - m.right()

    def fit(self) -> None:
        """Choose the caption's font for its width and reserve the height it needs."""
        font = QFont(self.base)
        font.setBold(True)
        size = self.base.pointSizeF() * self.scale
        floor = size * CAPTION_FLOOR
        size *= CAPTION_SIZE
        text, width = self.label.text(), self.text_width()
        font.setPointSizeF(size)
        while size > floor and wrapped_lines(text, font, width) > CAPTION_LINES:
            size = max(floor, size * 0.93)
            font.setPointSizeF(size)
        if font != self.label.font():
            self.label.setFont(font)
        # Exactly the height the wrapped text needs: never cut, and the dock area above the
        # panels takes no more than that.
        width = self.label.width() if self.label.width() > 1 else self.window().width()
        # A label's height for a width is at least its minimum: free it before asking.
        self.label.setMinimumHeight(0)
        self.label.setMaximumHeight(QWIDGETSIZE_MAX)
        self.label.setFixedHeight(max(self.label.heightForWidth(width), 1))
        self._fix_height()

    def _fix_height(self) -> None:
        """The box, and with it the dock above the panels, is as tall as its text: no more."""
        status = self.status.heightForWidth(max(self.width(), 1)) if self.status.text() else 0
        height = self.label.minimumHeight() + max(status, 0)
        self.setFixedHeight(height)
        self.height_changed.emit(height)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if obj is self.label and event.type() == QEvent.Type.Resize \
                and event.size().width() != event.oldSize().width():
            self.fit()
        return False
