"""The chain-rule panel's sections: the link editors, the diagram with its formula and product,
the x controls and the code listing (``section-<name>`` object names, so a presenter layout can
show or fold whole sections)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gradviz.core.chain import LINK_PRESETS, MAX_LINKS, MIN_LINKS
from gradviz.core.functions1d import compiled
from gradviz.ui.panels.chain_diagram import QtChainDiagram
from gradviz.ui.widgets.expression_field import QtExpressionField
from gradviz.ui.widgets.float_slider import QtFloatSlider

CUSTOM = "custom…"


class QtLinkEditor(QFrame):
    """One link: choose a preset or type a custom expression; move it left/right or remove it."""

    def __init__(self, panel: Any, index: int) -> None:
        super().__init__()
        self.panel = panel
        self.index = index
        self.setFrameShape(QFrame.Shape.StyledPanel)
        col = QVBoxLayout(self)
        col.setContentsMargins(6, 4, 6, 4)
        row = QHBoxLayout()
        self.title = QLabel(f"link {index + 1}")
        row.addWidget(self.title)
        self.left_button = QPushButton("◀")
        self.left_button.setToolTip("apply this link earlier (move it left)")
        self.right_button = QPushButton("▶")
        self.right_button.setToolTip("apply this link later (move it right)")
        self.remove_button = QPushButton("✕")
        self.remove_button.setToolTip("remove this link")
        names = ("move link {} left", "move link {} right", "remove link {}")
        for b, name in zip((self.left_button, self.right_button, self.remove_button), names,
                           strict=True):
            b.setFixedWidth(30)
            b.setAccessibleName(name.format(index + 1))
            row.addWidget(b)
        col.addLayout(row)
        self.combo = QComboBox()
        self.combo.setAccessibleName(f"link {index + 1} function")
        for p in LINK_PRESETS:
            self.combo.addItem(p.label, p.source)
        self.combo.addItem(CUSTOM, None)
        col.addWidget(self.combo)
        self.field = QtExpressionField(compiled, "a function of x, e.g. x**3")
        self.field.edit.setAccessibleName(f"link {index + 1} expression")
        col.addWidget(self.field)
        self.left_button.clicked.connect(lambda: panel.move_link(self.index, -1))
        self.right_button.clicked.connect(lambda: panel.move_link(self.index, +1))
        self.remove_button.clicked.connect(lambda: panel.remove_link(self.index))
        self.combo.activated.connect(self._on_combo)
        self.field.accepted.connect(lambda text: panel.replace_link(self.index, text))

    def show_link(self, source: str, count: int) -> None:
        i = self.combo.findData(source)
        self.combo.setCurrentIndex(i if i >= 0 else self.combo.count() - 1)
        self.field.show_source(source)
        self.field.setVisible(i < 0 or self.field.edit.hasFocus())
        self.left_button.setEnabled(self.index > 0)
        self.right_button.setEnabled(self.index < count - 1)
        self.remove_button.setEnabled(count > MIN_LINKS)

    def _on_combo(self, index: int) -> None:
        source = self.combo.itemData(index)
        if source is None:
            self.field.start_custom()
            return
        self.panel.replace_link(self.index, source)


class LinksSection(QWidget):
    """One editor per possible link (the unused ones hidden), "+ add link", and a message line."""

    def __init__(self, panel: Any) -> None:
        super().__init__()
        self.setObjectName("section-links")
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        self.links_row = QHBoxLayout()
        self.editors = [QtLinkEditor(panel, i) for i in range(MAX_LINKS)]
        for ed in self.editors:
            self.links_row.addWidget(ed, 1)
        self.add_button = QPushButton("+ add link")
        self.add_button.setToolTip(f"a chain has {MIN_LINKS} to {MAX_LINKS} links")
        self.links_row.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignTop)
        col.addLayout(self.links_row)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.hide()
        col.addWidget(self.message)


class DiagramSection(QWidget):
    """The visualization: y as one formula, the diagram, and the product beside autograd's."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("section-diagram")
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        self.formula = QLabel("")
        self.formula.setObjectName("chain-formula")
        self.formula.setTextFormat(Qt.TextFormat.RichText)
        col.addWidget(self.formula)
        self.diagram = QtChainDiagram()
        col.addWidget(self.diagram, 1)
        self.product = QLabel("")
        self.product.setObjectName("chain-product")
        self.product.setTextFormat(Qt.TextFormat.RichText)
        self.product.setWordWrap(True)
        font = self.product.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.product.setFont(font)
        col.addWidget(self.product)


class XSection(QWidget):
    """The input x: a slider over the range where the links show their shapes, and a box."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("section-x")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.x_slider = QtFloatSlider("x", steps=600)
        row.addWidget(self.x_slider, 1)
        self.x_spin = QDoubleSpinBox()
        self.x_spin.setKeyboardTracking(False)
        row.addWidget(self.x_spin)
