"""The node palette: a searchable pop-up (Tab or right-click on the canvas) and a side list to drag
nodes from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QMimeData, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gradviz.graph import KINDS

#: Mime type of a palette drag: the payload is the node kind.
KIND_MIME = "application/x-gradviz-node-kind"


@dataclass(frozen=True)
class PaletteEntry:
    kind: str
    text: str  # what the list shows
    keywords: str  # extra words the search matches


_TEXTS = {
    "input": ("input (leaf)  x = torch.tensor(1.0, requires_grad=True)", "leaf tensor variable"),
    "constant": ("constant  2.0", "number literal"),
    "add": ("add  a + b", "plus sum +"),
    "sub": ("sub  a − b", "minus subtract difference -"),
    "mul": ("mul  a * b", "times multiply product *"),
    "div": ("div  a / b", "divide quotient /"),
    "pow": ("pow  a ** b", "power square exponent **"),
    "neg": ("neg  −x", "negate minus"),
    "exp": ("exp  torch.exp(x)", "exponential"),
    "log": ("log  torch.log(x)", "logarithm ln"),
    "sin": ("sin  torch.sin(x)", "sine trig"),
    "cos": ("cos  torch.cos(x)", "cosine trig"),
    "tanh": ("tanh  torch.tanh(x)", "hyperbolic activation"),
    "sigmoid": ("sigmoid  torch.sigmoid(x)", "logistic activation σ"),
    "relu": ("relu  torch.relu(x)", "activation rectifier"),
    "square": ("square  torch.square(x)", "x² power"),
    "detach": ("detach  x.detach()", "stop gradient cut no_grad"),
    "output": ("output  z.backward()", "loss backward result"),
}


def palette_entries() -> list[PaletteEntry]:
    """Every node kind the model knows, in the model's order."""
    entries = []
    for kind in KINDS:
        text, words = _TEXTS.get(kind, (kind, ""))
        entries.append(PaletteEntry(kind, text, words))
    return entries


def matches(entry: PaletteEntry, query: str) -> bool:
    """Case-insensitive search on the kind, the shown text and the keywords."""
    q = query.strip().lower()
    if not q:
        return True
    hay = f"{entry.kind} {entry.text} {entry.keywords}".lower()
    return all(part in hay for part in q.split())


def rank(entry: PaletteEntry, query: str) -> int:
    """Kinds whose name starts with the query come first ("mul" before "sum")."""
    q = query.strip().lower()
    return 0 if q and entry.kind.startswith(q) else 1


class QtPaletteList(QListWidget):
    """The side list: drag a kind onto the canvas, or double-click to add it in the middle.

    The drag is handled here, without ``QDrag``: QDrag runs a nested event loop that waits for
    real mouse input, which a scripted or replayed session never sends. ``dropped(kind, global)``
    reports where the button was released; the panel adds the node if that is on the canvas.
    """

    activated_kind = Signal(str)
    dropped = Signal(str, QPoint)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("graph-palette-list")
        self.setDragEnabled(False)
        for entry in palette_entries():
            item = QListWidgetItem(entry.kind)
            item.setData(Qt.ItemDataRole.UserRole, entry.kind)
            item.setToolTip(f"{entry.text} — drag onto the canvas")
            self.addItem(item)
        self._press: tuple[str, QPoint] | None = None
        self._dragging = False
        self.itemDoubleClicked.connect(
            lambda item: self.activated_kind.emit(item.data(Qt.ItemDataRole.UserRole)))

    def item_for(self, kind: str) -> QListWidgetItem | None:
        for i in range(self.count()):
            if self.item(i).data(Qt.ItemDataRole.UserRole) == kind:
                return self.item(i)
        return None

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        item = self.itemAt(event.position().toPoint())
        self._press = None
        self._dragging = False
        if item is not None and event.button() == Qt.MouseButton.LeftButton:
            self._press = (item.data(Qt.ItemDataRole.UserRole), event.position().toPoint())
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self._press is not None:
            moved = (event.position().toPoint() - self._press[1]).manhattanLength()
            if not self._dragging and moved >= QApplication.startDragDistance():
                self._dragging = True
                self.setCursor(Qt.CursorShape.DragCopyCursor)
            if self._dragging:
                event.accept()
                return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt's name
        press, dragging = self._press, self._dragging
        self._press, self._dragging = None, False
        if dragging and press is not None:
            self.unsetCursor()
            self.dropped.emit(press[0], self.mapToGlobal(event.position().toPoint()))
            event.accept()
            return
        super().mouseReleaseEvent(event)


def kind_mime(kind: str) -> QMimeData:
    data = QMimeData()
    data.setData(KIND_MIME, kind.encode("ascii"))
    data.setText(kind)
    return data


class QtPalettePopup(QFrame):
    """Type to filter ("mul"), Up/Down to choose, Enter to add, Escape to close."""

    def __init__(self, parent: QWidget, on_chosen: Callable[[str], None],
                 kinds: list[str] | None = None, title: str = "Add a node") -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("graph-palette-popup")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.on_chosen = on_chosen
        self.entries = [e for e in palette_entries() if kinds is None or e.kind in kinds]
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.title = QLabel(f"<b>{title}</b>")
        self.search = QLineEdit()
        self.search.setPlaceholderText("type to search: mul, exp, input…")
        self.list = QListWidget()
        layout.addWidget(self.title)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        self.resize(380, 360)
        self.search.textChanged.connect(self._refilter)
        self.search.installEventFilter(self)
        self.list.itemActivated.connect(lambda _item: self.choose())
        self.list.itemClicked.connect(lambda _item: self.choose())
        self._refilter("")

    def _refilter(self, text: str) -> None:
        self.list.clear()
        found = sorted((e for e in self.entries if matches(e, text)), key=lambda e: rank(e, text))
        for entry in found:
            item = QListWidgetItem(entry.text)
            item.setData(Qt.ItemDataRole.UserRole, entry.kind)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def visible_kinds(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def choose(self) -> None:
        item = self.list.currentItem()
        self.close()
        if item is not None:
            self.on_chosen(item.data(Qt.ItemDataRole.UserRole))

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if obj is self.search and isinstance(event, QKeyEvent) \
                and event.type() == QKeyEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.choose()
                return True
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                row = self.list.currentRow() + (1 if key == Qt.Key.Key_Down else -1)
                self.list.setCurrentRow(max(0, min(self.list.count() - 1, row)))
                return True
            if key == Qt.Key.Key_Escape:
                self.close()
                return True
        return super().eventFilter(obj, event)

    def popup_at(self, global_pos: QPoint) -> None:
        self.move(global_pos)
        self.show()
        self.search.setFocus()
