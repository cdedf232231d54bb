"""The editing chrome of the Playground: the data section (data set, noise, split, CSV, hand-added
points) and the network settings section. Controls are bound to the model by the panel."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from gradviz.ui.widgets.panel_section import QtSection, wrapped_label


def _grid(pairs: list[tuple[str, QWidget]], columns: int) -> QGridLayout:
    """Label + control pairs laid out ``columns`` pairs to a row."""
    grid = QGridLayout()
    grid.setContentsMargins(0, 0, 0, 0)
    for i, (text, widget) in enumerate(pairs):
        row, col = divmod(i, columns)
        label = QLabel(text)
        label.setBuddy(widget)
        grid.addWidget(label, row, 2 * col)
        grid.addWidget(widget, row, 2 * col + 1)
    return grid


class QtDataSection(QtSection):
    """Which data, how noisy, how it is split, and the points added by hand or from a CSV file."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("data", parent)
        self.dataset_combo = QComboBox()
        self.noise_spin = QDoubleSpinBox()
        self.fraction_spin = QDoubleSpinBox()
        self.box.addLayout(_grid([("data", self.dataset_combo), ("noise", self.noise_spin),
                                  ("train", self.fraction_spin)], 3))
        row = QHBoxLayout()
        self.load_button = QPushButton("Load CSV…")
        self.load_button.setToolTip("Replace the hand-added points with a file of x1,x2,label "
                                    "rows; a file with any bad row is refused whole.")
        self.clear_button = QPushButton("Clear added points")
        self.points_label = wrapped_label()
        row.addWidget(self.load_button)
        row.addWidget(self.clear_button)
        row.addWidget(self.points_label, 1)
        self.box.addLayout(row)
        self.box.addStretch(1)

    def show_points(self, count: int, task: str) -> None:
        buttons = {"binary": "left click adds class 1, right click class 0",
                   "multiclass": "left/right/middle click adds class 1/0/2",
                   "regression": "left click adds target +1, right click −1"}[task]
        self.points_label.setText(f"{count} added point(s) — {buttons}; Shift-drag erases.")
        self.clear_button.setEnabled(count > 0)


class QtSettingsSection(QtSection):
    """The network (hidden layers, activation) and how it is trained."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("settings", parent)
        self.hidden_edit = QLineEdit()
        self.hidden_edit.setAccessibleName("hidden layers")
        self.hidden_edit.setToolTip("Neurons per hidden layer, e.g. 4, 2 (0 to 8 layers of 1 to "
                                    "16); Enter applies.")
        self.activation_combo = QComboBox()
        self.optimizer_combo = QComboBox()
        self.lr_spin = QDoubleSpinBox()
        self.momentum_spin = QDoubleSpinBox()
        self.batch_spin = QSpinBox()
        self.reg_combo = QComboBox()
        self.reg_spin = QDoubleSpinBox()
        self.seed_spin = QSpinBox()
        self.box.addLayout(_grid([
            ("hidden", self.hidden_edit), ("activation", self.activation_combo),
            ("optimizer", self.optimizer_combo), ("lr", self.lr_spin),
            ("momentum", self.momentum_spin), ("batch", self.batch_spin),
            ("regularize", self.reg_combo), ("λ", self.reg_spin), ("seed", self.seed_spin),
        ], 3))
        self.box.addStretch(1)

    def show_hidden(self, hidden: tuple[int, ...]) -> None:
        self.hidden_edit.setText(", ".join(str(h) for h in hidden))


def parse_hidden(text: str) -> list[int]:
    """``"4, 2"`` → ``[4, 2]``; the model's own check refuses out-of-range sizes."""
    cells = [c.strip() for c in text.replace(";", ",").split(",") if c.strip()]
    try:
        return [int(c) for c in cells]
    except ValueError:
        raise ValueError(f"hidden layers: write whole numbers separated by commas, got "
                         f"{text[:40]!r}") from None
