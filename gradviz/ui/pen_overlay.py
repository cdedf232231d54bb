"""A transparent layer over the window that a lecturer draws on with the mouse or a pen."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QWidget


class QtPenOverlay(QWidget):
    """Strokes drawn over whatever is below. While the pen is off, every mouse event passes
    through to the panels; while it is on, the overlay takes them.

    Parameters
    ----------
    host
        The widget to cover (the main window); the overlay follows its size.
    """

    def __init__(self, host: QWidget, colour: str = "#E6007E", width: float = 4.0) -> None:
        super().__init__(host)
        self.setObjectName("pen-overlay")
        self.host = host
        self.colour = QColor(colour)
        self.width = width
        self.strokes: list[QPainterPath] = []
        self._drawing: QPainterPath | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.set_pen_enabled(False)
        self.setGeometry(host.rect())
        host.installEventFilter(self)

    @property
    def pen_enabled(self) -> bool:
        return not self.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def set_pen_enabled(self, enabled: bool) -> None:
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, not enabled)
        self.setCursor(Qt.CursorShape.CrossCursor if enabled else Qt.CursorShape.ArrowCursor)
        if enabled:
            self.raise_()

    def clear(self) -> None:
        self.strokes.clear()
        self._drawing = None
        self.update()

    def add_stroke(self, points: list[QPointF]) -> None:
        """Draw a stroke through ``points`` (what a mouse drag does; also for scripts)."""
        if not points:
            return
        path = QPainterPath(points[0])
        for p in points[1:]:
            path.lineTo(p)
        if len(points) == 1:
            path.lineTo(points[0] + QPointF(0.1, 0.1))  # a dot
        self.strokes.append(path)
        self.update()

    # -- Qt overrides --------------------------------------------------------------------------
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if obj is self.host and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.host.rect())
        return False

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.button() == Qt.MouseButton.LeftButton:
            self._drawing = QPainterPath(event.position())
            self._drawing.lineTo(event.position() + QPointF(0.1, 0.1))
            self.strokes.append(self._drawing)
            self.update()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self._drawing is not None:
            self._drawing.lineTo(event.position())
            self.update()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._drawing = None

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if not self.strokes:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(self.colour, self.width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                   Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        for path in self.strokes:
            painter.drawPath(path)
        painter.end()
