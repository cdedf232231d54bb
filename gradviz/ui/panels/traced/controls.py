"""The traced page's controls: the read-only notice bar (with "Copy as editable graph"), the
toolbar (search, module depth, ×N repeats, fit, Run backward), the step caption and the busy row
(progress, cancel). Widgets only: the page wires them to the model; stepping and playing use the
graph editor's player row."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSlider,
    QWidget,
)

NOTICE = ("<b>Traced from your code — read-only.</b> This is the graph PyTorch recorded while "
          "your code ran; editing it here would not change your code. Run your code again to "
          "see a new one, or copy a small scalar graph into the editor.")


def _button(text: str, name: str, accessible: str) -> QPushButton:
    b = QPushButton(text)
    b.setObjectName(name)
    b.setAccessibleName(accessible)
    return b


def _label(name: str, text: str = "", rich: bool = False) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    if rich:
        label.setTextFormat(Qt.TextFormat.RichText)
    return label


def _row(name: str, *widgets: QWidget) -> QWidget:
    row = QWidget()
    row.setObjectName(name)
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        layout.addWidget(w)
    return row


class TracedControls:
    """Builds the rows; each is a ``QWidget`` the panel adds to its layout."""

    def __init__(self) -> None:
        self.notice = _label("traced-notice", NOTICE, rich=True)
        self.copy = _button("Copy as editable graph", "traced-copy", "Copy as editable graph")
        self.notice_bar = _row("traced-notice-bar", self.notice, self.copy)
        self.notice_bar.layout().setStretch(0, 1)
        self.warning = _label("traced-warning")
        self.error = _label("traced-error")
        self.search = QLineEdit()
        self.search.setObjectName("traced-search")
        self.search.setAccessibleName("Search nodes by name")
        self.search.setPlaceholderText("Find a node or module (Enter: next)")
        self.search_result = _label("traced-search-result")
        self.search_result.setWordWrap(False)
        self.depth = QSlider(Qt.Orientation.Horizontal)
        self.depth.setObjectName("traced-depth")
        self.depth.setAccessibleName("Module depth")
        self.depth.setMinimumWidth(120)
        self.depth_label = _label("traced-depth-label", "All operations")
        self.depth_label.setWordWrap(False)
        self.repeats = _button("Fold repeats ×N", "traced-repeats", "Fold repeated blocks")
        self.fit = _button("Fit", "traced-fit", "Fit the graph to the view")
        self.backward = _button("Run backward", "traced-backward", "Run backward")
        self.toolbar = _row("traced-toolbar", self.search, self.search_result, QLabel("Modules:"),
                            self.depth, self.depth_label, self.repeats, self.fit, self.backward)
        self.step_label = _label("traced-step-label")
        self.step_label.setWordWrap(False)  # one line: the page keeps its height
        self.step_label.setMinimumWidth(40)
        self.step_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.busy_label = _label("traced-busy-label", "Laying out…")
        self.progress = QProgressBar()
        self.progress.setObjectName("traced-progress")
        self.progress.setRange(0, 100)
        self.cancel = _button("Cancel", "traced-cancel", "Cancel the layout")
        self.busy_row = _row("traced-busy", self.busy_label, self.progress, self.cancel)
        self.busy_row.hide()
        self.warning.hide()
        self.error.hide()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def set_depth_range(self, deepest: int) -> None:
        """Positions 1 … deepest fold modules that deep; deepest + 1 shows every operation."""
        self.depth.blockSignals(True)
        self.depth.setRange(1, deepest + 1)
        self.depth.setValue(deepest + 1)
        self.depth.blockSignals(False)
        self.depth.setEnabled(deepest > 0)
        self.depth_label.setText("All operations")

    def set_depth_value(self, depth: int, deepest: int) -> None:
        self.depth.blockSignals(True)
        self.depth.setValue(depth)
        self.depth.blockSignals(False)
        self.depth_label.setText("All operations" if depth > deepest else f"depth-{depth} modules folded")

    def set_busy(self, busy: bool, text: str = "") -> None:
        self.busy_row.setVisible(busy)
        self.busy_label.setText(text)
        self.progress.setValue(0)
