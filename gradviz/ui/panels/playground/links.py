"""Links out of the Playground: open the selected neuron in the Graph editor on one data point,
export the run as a PyTorch script, and clear the ghost runs."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSpinBox, QWidget

from gradviz.ui.widgets.panel_section import QtSection, wrapped_label


class QtLinksSection(QtSection):
    """The selected neuron and point, and the buttons that take them elsewhere."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("links", parent)
        self.neuron_label = wrapped_label("Click a neuron's picture to select it.")
        self.box.addWidget(self.neuron_label)
        row = QHBoxLayout()
        row.addWidget(QLabel("on training point"))
        self.point_spin = QSpinBox()
        self.point_spin.setAccessibleName("training point for the neuron graph")
        self.point_spin.setToolTip("Which training point the neuron's graph is computed on.")
        row.addWidget(self.point_spin)
        self.graph_button = QPushButton("Open this neuron in the Graph editor")
        self.graph_button.setToolTip("w·x + b → activation on one point, with ∂L/∂a from torch "
                                     "as a constant: its leaf gradients are torch's ∂L/∂w.")
        self.export_button = QPushButton("Export as PyTorch code…")
        self.export_button.setToolTip("A script that rebuilds this run with torch alone and "
                                      "prints the same final training loss.")
        self.clear_ghosts_button = QPushButton("Clear ghosts")
        for w in (self.graph_button, self.export_button, self.clear_ghosts_button):
            row.addWidget(w)
        row.addStretch(1)
        self.box.addLayout(row)
        self.box.addStretch(1)

    def show_neuron(self, text: str, n_points: int, linkable: bool) -> None:
        self.neuron_label.setText(text)
        self.point_spin.setRange(0, max(0, n_points - 1))
        self.graph_button.setEnabled(linkable)
