"""The box of live readouts a presenting panel floats over its visualization
(``Presenter.overlay``), and the cap on how much of the visualization it may hide.

The readouts are there to explain the picture, so they may never bury it: the box covers at
most ``OVERLAY_COVER`` of the visualization's area. To stay under that it first spreads its
wrapped text wider (up to the view's whole width, so it gets fewer lines), then shrinks its
type step by step, never below the type of the presentation's status line (the unscaled
application font: the smallest text presenting shows). If even that covers too much,
:meth:`QtReadoutOverlay.crowds` says so and the panel folds the box into its strip of toggles
(:class:`~gradviz.ui.panels.presenting.QtPresenterSections`), where a click shows it again.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QVBoxLayout, QWidget

from gradviz.ui.panels.legends_aside import LegendsAside

#: The overlay takes at most this share of the visualization's width while its text fits
#: (then it wraps, or spreads wider: ``WRAP_WIDTHS``).
OVERLAY_WIDTH = 0.5
#: The most of the visualization's area the readouts may cover. A third leaves the picture
#: (the curve, the surface, the ball) readable around and beside them; at 0.5 the surface's
#: readout at ×3 still hid the 3D view.
OVERLAY_COVER = 0.35
#: The widths, as shares of the view's, a wrapped overlay tries in turn (see ``place``).
WRAP_WIDTHS = (OVERLAY_WIDTH, 0.65, 0.8, 1.0)
#: Each step of shrinking multiplies the readouts' type by this.
SHRINK_STEP = 0.9
#: Pixels between the overlay and the visualization's edges.
OVERLAY_MARGIN = 6
#: How opaque the overlay's background is (0–255): the plot stays faintly visible under it.
OVERLAY_ALPHA = 225
#: The status line under the caption: its type is the floor the readouts shrink to.
STATUS_NAME = "presentation-status"
#: Presentation's record of a widget's unscaled font (see ``presentation.scale_fonts_and_views``).
BASE_FONT = "_gv_base_font"
#: A widget with this property set keeps its font when presentation scales fonts.
NO_SCALE = "gv_keep_font"


def points(font: QFont) -> float:
    """A font's size in points (a pixel-sized font counts 0.75 pt a pixel, as at 96 dpi)."""
    return font.pointSizeF() if font.pointSizeF() > 0 else 0.75 * max(1, font.pixelSize())


def shrunk(font: QFont, factor: float) -> QFont:
    smaller = QFont(font)
    if font.pointSizeF() > 0:
        smaller.setPointSizeF(max(1.0, font.pointSizeF() * factor))
    else:
        smaller.setPixelSize(max(1, round(font.pixelSize() * factor)))
    return smaller


class QtReadoutOverlay(QFrame):
    """A box of live readouts over the top-right corner of the visualization ``host``; it
    follows the host's size and its own text, and covers at most ``OVERLAY_COVER`` of the
    host (wider, then smaller type; see the module's docstring).

    Attributes
    ----------
    factor
        How much its type is shrunk now (1.0: not at all).
    """

    def __init__(self, host: QWidget) -> None:
        super().__init__(host)
        self.setObjectName("presenter-overlay")
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(10, 6, 10, 6)
        self.box.setSpacing(2)
        # Plain text on the window colour, nearly opaque: readable over any curve. (A palette,
        # not a style sheet: under a style sheet the labels would keep the font they had when
        # it was applied, whatever the presentation scale does later.)
        colour = QColor(host.palette().window().color())
        colour.setAlpha(OVERLAY_ALPHA)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, colour)
        self.setPalette(palette)
        self.setAutoFillBackground(True)
        self.factor = 1.0
        # label -> (its full font, or None where it follows its parent's; the font set on it)
        self._fonts: dict[QLabel, tuple[QFont | None, QFont]] = {}
        self._placed: tuple | None = None
        self._placing = False
        self.legends = LegendsAside(host)
        host.installEventFilter(self)

    # -- fonts ---------------------------------------------------------------------------------
    def _full_font(self, label: QLabel) -> tuple[QFont | None, QFont]:
        """The label's font before any shrinking: its own (None: its parent's), and that font."""
        own, applied = self._fonts.get(label, (None, None))
        if label not in self._fonts:
            own = QFont(label.font()) if label.testAttribute(
                Qt.WidgetAttribute.WA_SetFont) else None
        elif own is not None and label.font() != applied:
            own = QFont(label.font())  # a new presentation scale set it since: the new full
        parent = label.parentWidget()
        return own, own if own is not None else QFont(parent.font() if parent else label.font())

    def _apply(self, factor: float) -> None:
        for label in self.findChildren(QLabel):
            own, full = self._full_font(label)
            if own is None:
                # Keep presentation's font scaling off it: what it would record as the
                # label's own font is a shrunk one.
                label.setProperty(NO_SCALE, True)
            elif getattr(label, BASE_FONT, None) is None:
                setattr(label, BASE_FONT, QFont(own))  # its unscaled font, before we shrink it
            font = shrunk(full, factor) if factor < 1.0 else full
            label.setFont(font)
            self._fonts[label] = (own, font)
        self.factor = factor
        # The labels' sizes changed: nested layouts must not answer from their caches.
        for widget in [*self.findChildren(QWidget), self]:
            if widget.layout() is not None:
                widget.layout().invalidate()
            widget.updateGeometry()

    def restore_fonts(self) -> None:
        """Give every label the font it had (presenting stops, or the label leaves the box)."""
        for label in list(self._fonts):
            own, _ = self._full_font(label)
            if own is None:
                label.setProperty(NO_SCALE, None)
                label.setFont(QFont())  # follows its parent's font again
            else:
                label.setFont(own)
        self._fonts.clear()
        self.factor = 1.0
        self.legends.restore()

    def floor(self) -> float:
        """The least factor: no label's type below the presentation's status line."""
        status = self.window().findChild(QLabel, STATUS_NAME)
        least = points(status.font() if status is not None else QApplication.font())
        sizes = [points(self._full_font(label)[1]) for label in self.findChildren(QLabel)]
        return min(1.0, least / min(sizes)) if sizes else 1.0

    def factors(self) -> list[float]:
        """The factors ``place`` tries, largest first, the floor last."""
        floor, out = self.floor(), [1.0]
        while out[-1] * SHRINK_STEP > floor:
            out.append(out[-1] * SHRINK_STEP)
        if floor < out[-1]:
            out.append(floor)
        return out

    # -- placing -------------------------------------------------------------------------------
    def place(self) -> None:
        """The smallest box at the largest type that fits the cap (see the module). While
        only the readouts' text changes (a ball rolling), the type never grows back: numbers
        changing length must not make it jump."""
        host = self.parentWidget()
        if host is None or self._placing:
            return
        labels = self.findChildren(QLabel)
        room, texts = self._state(host, labels)
        if (room, texts) == self._placed:
            return  # the layout requests our own font changes posted: nothing new
        start = self.factor if self._placed is not None and self._placed[0] == room else 1.0
        self._placing = True
        try:
            self._fit(host, any(label.wordWrap() for label in labels), start)
        finally:
            self._placing = False
        self._placed = self._state(host, labels)

    def _state(self, host: QWidget, labels: list[QLabel]) -> tuple[tuple, list[str]]:
        """What the box's size depends on: the view's size and the labels' full fonts; and
        their texts."""
        fonts = tuple(self._full_font(label)[1].toString() for label in labels)
        return (host.width(), host.height(), fonts), [label.text() for label in labels]

    def _fit(self, host: QWidget, wraps: bool, start: float) -> None:
        room = max(1, host.width() - 2 * OVERLAY_MARGIN)
        tall = host.height() - 2 * OVERLAY_MARGIN
        cap = OVERLAY_COVER * host.width() * host.height()
        factors = [f for f in self.factors() if f <= start + 1e-9] or self.factors()[-1:]
        for factor in factors:
            self._apply(factor)
            self.box.activate()
            fits = [(w, h) for w, h in self._sizes(room, wraps) if h <= tall]
            under = [(w, h) for w, h in fits if w * h <= cap]
            if under:
                self._set_size(host, *under[0])
                return
        # Over the cap even at the floor: the least area that is not cut (``crowds`` says so,
        # and the panel folds the box); cut even edge to edge: the whole view.
        if fits:
            self._set_size(host, *min(fits, key=lambda s: s[0] * s[1]))
        else:
            self._set_size(host, host.width(), self.heightForWidth(host.width()), margin=0)

    def _sizes(self, room: int, wraps: bool) -> list[tuple[int, int]]:
        """The sizes worth trying at the type set now: unwrapped, its own width; wrapped, the
        widths ``WRAP_WIDTHS`` names (wider: fewer lines), never narrower than its longest
        word."""
        least = min(self.minimumSizeHint().width(), room)
        if not wraps:
            width = max(least, min(self.sizeHint().width(), int(room * OVERLAY_WIDTH)))
            return [(width, self.minimumSizeHint().height())]
        sizes = []
        for share in WRAP_WIDTHS:
            width = max(least, int(room * share))
            sizes.append((width, max(self.heightForWidth(width),
                                     self.minimumSizeHint().height())))
        return sizes

    def _set_size(self, host: QWidget, width: int, height: int,
                  margin: int = OVERLAY_MARGIN) -> None:
        height = max(height, self.minimumSizeHint().height(), 1)
        self.setGeometry(host.width() - width - margin, margin, width, height)
        self.raise_()
        self.legends.make_room(self.geometry())

    def covered(self) -> float:
        """The share of the visualization's area the box covers."""
        host = self.parentWidget()
        if host is None:
            return 0.0
        return self.width() * self.height() / max(1, host.width() * host.height())

    def crowds(self) -> bool:
        """Whether the readouts are shown and cut by the visualization's edge or cover more
        than ``OVERLAY_COVER`` of it: the panel then does not fit (presenting folds the box)."""
        host = self.parentWidget()
        if host is None or not self.isVisible():
            return False
        return self.geometry().bottom() >= host.height() or self.covered() > OVERLAY_COVER

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if obj is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self.place()
        return False

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:
            self.place()  # a readout's text changed: the box grows or shrinks with it
        return handled
