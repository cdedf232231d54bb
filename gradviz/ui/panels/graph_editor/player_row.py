"""The graph editor's player row: Restart, Step back, Play, Step, the speed and the caption.

The same row plays a hand-built graph and, on the traced page, the traced graph: its buttons call
the panel, which hands them to the player of the page shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QVBoxLayout, QWidget

from gradviz.ui.panels.graph_editor.animation import SPEEDS
from gradviz.ui.widgets.wrap_row import SHORT_TEXT, QtWrapRow

if TYPE_CHECKING:
    from gradviz.ui.panels.graph_editor.panel import QtGraphEditorPanel


def _button(text: str, tip: str, slot, name: str) -> QPushButton:
    b = QPushButton(text)
    b.setToolTip(tip)
    b.setObjectName(name)
    b.clicked.connect(slot)
    return b


def build_player_row(panel: QtGraphEditorPanel) -> QWidget:
    """The ``section-stepping`` widget; its buttons, speed box and caption become attributes of
    ``panel`` (``restart_button``, ``back_button``, ``play_button``, ``step_button``, ``speed``,
    ``caption``)."""
    # The buttons wrap onto a second line and the caption sits under them, so the stepping
    # row never pushes a narrow dock (presenting beside the 3D view) wider than the screen.
    section = QWidget()
    section.setObjectName("section-stepping")
    column = QVBoxLayout(section)
    column.setContentsMargins(0, 0, 0, 0)
    row = QtWrapRow(spacing=6)
    column.addLayout(row)
    panel.restart_button = _button("↺ Restart", "Back to before the forward pass",
                                   panel.restart, "graph-restart")
    panel.back_button = _button("◀ Step back", "One step back (PageUp)",
                                lambda: panel.step(-1), "graph-step-back")
    panel.play_button = _button("▶ Play", "Play the forward then the backward pass",
                                panel.toggle_play, "graph-play")
    panel.step_button = _button("Step ▶", "One step forward (PageDown)",
                                lambda: panel.step(+1), "graph-step")
    speed = panel.speed = QComboBox()
    speed.setObjectName("graph-speed")
    for s in SPEEDS:
        speed.addItem(f"{s:g}×", s)
    speed.setCurrentIndex(SPEEDS.index(1.0))
    speed.currentIndexChanged.connect(lambda i: panel.set_speed(speed.itemData(i)))
    # Too narrow for one row of full texts (×3 beside the loss surface): "↺", "◀", and
    # the speed box without its label (it reads "1×"; its tooltip names it).
    panel.restart_button.setProperty(SHORT_TEXT, "↺")
    panel.back_button.setProperty(SHORT_TEXT, "◀")
    speed.setToolTip("Playing speed")
    named = QLabel("speed")
    named.setProperty(SHORT_TEXT, "")
    for w in (panel.restart_button, panel.back_button, panel.play_button, panel.step_button,
              named, speed):
        row.add(w)
    caption = panel.caption = QLabel("")
    caption.setObjectName("graph-caption")
    caption.setWordWrap(True)
    f = caption.font()
    f.setPointSizeF(f.pointSizeF() * 1.2)
    caption.setFont(f)
    column.addWidget(caption)
    return section
