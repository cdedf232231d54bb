"""The settings section of the surface panel: tabs for the balls (optimizer, learning rate,
state), what the views draw, and ball 1's loop as code."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QDoubleValidator, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gradviz.core.loss_surface import LossSurface
from gradviz.core.numbers import fmt
from gradviz.core.optim_race import MAX_BALLS
from gradviz.ui.widgets.page_sized_tabs import size_to_current_page

Bind = Callable[[QWidget, Any, str], Any]


class BallsTab(QWidget):
    """One row per ball: its colour, optimizer (bound), learning rate and state line."""

    def __init__(self, state: LossSurface, bind: Bind, colours: tuple[str, ...],
                 on_lr_text: Callable[[int, str], None]) -> None:
        super().__init__()
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.setVerticalSpacing(2)
        for col, text in enumerate(("ball", "optimizer", "learning rate", "state")):
            grid.addWidget(QLabel(f"<b>{text}</b>"), 0, col)
        self.combos: list[QComboBox] = []
        self.lr_fields: list[QLineEdit] = []
        self.states: list[QLabel] = []
        for i in range(MAX_BALLS):
            n = i + 1
            swatch = QLabel(f"● {n}")
            swatch.setStyleSheet(f"color: {colours[i]}; font-weight: bold;"
                                 + (" background: #555;" if i == 3 else ""))
            combo = QComboBox()
            combo.setObjectName(f"surface-ball{n}")
            bind(combo, state, f"ball{n}")
            setting = state.setting(f"lr{n}")
            lr = QLineEdit()
            lr.setObjectName(f"surface-lr{n}")
            lr.setAccessibleName(setting.label)
            lr.setToolTip(setting.doc)
            lr.setMaximumWidth(90)
            lr.setValidator(QDoubleValidator(0.0, setting.hi, 8))
            lr.editingFinished.connect(functools.partial(self._lr_entered, n, on_lr_text))
            status = QLabel()
            status.setWordWrap(True)
            status.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            for col, w in enumerate((swatch, combo, lr, status)):
                grid.addWidget(w, n, col)
            self.combos.append(combo)
            self.lr_fields.append(lr)
            self.states.append(status)
        grid.setColumnStretch(3, 1)

    def _lr_entered(self, number: int, on_lr_text: Callable[[int, str], None]) -> None:
        on_lr_text(number, self.lr_fields[number - 1].text())

    def show_state(self, state: LossSurface) -> None:
        """Learning-rate fields (not the one being edited), enabled while their ball is on."""
        for i, field in enumerate(self.lr_fields):
            field.setEnabled(getattr(state, f"ball{i + 1}") != "off")
            if not field.hasFocus():
                field.setText(fmt(getattr(state, f"lr{i + 1}")))


class ViewTab(QWidget):
    """What the views draw (bound check boxes) and the 3D camera reset."""

    def __init__(self, state: LossSurface, bind: Bind, has_3d: bool,
                 on_reset_view: Callable[[], None]) -> None:
        super().__init__()
        lay = QGridLayout(self)
        self.arrow_check = QCheckBox(state.setting("show_arrow").label)
        bind(self.arrow_check, state, "show_arrow")
        self.floor_check = QCheckBox(state.setting("floor_contour").label)
        bind(self.floor_check, state, "floor_contour")
        self.floor_check.setEnabled(has_3d)
        self.field_check = QCheckBox(state.setting("arrow_field").label)
        self.field_check.setObjectName("surface-field")
        bind(self.field_check, state, "arrow_field")
        self.reset_view = QPushButton("Reset 3D view")
        self.reset_view.setEnabled(has_3d)
        self.reset_view.clicked.connect(on_reset_view)
        lay.addWidget(self.arrow_check, 0, 0)
        lay.addWidget(self.field_check, 0, 1)
        lay.addWidget(self.floor_check, 1, 0)
        lay.addWidget(self.reset_view, 1, 1)
        hint = QLabel("3D view: drag to orbit, wheel to zoom. Map: click to put the ball there.")
        hint.setWordWrap(True)
        lay.addWidget(hint, 2, 0, 1, 2)
        lay.setColumnStretch(2, 1)
        lay.setRowStretch(3, 1)

    def lose_3d(self) -> None:
        self.floor_check.setEnabled(False)


class CodeTab(QWidget):
    """Ball 1's loop twice: the manual update and the ``torch.optim`` form."""

    def __init__(self) -> None:
        super().__init__()
        lay = QHBoxLayout(self)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.manual = QPlainTextEdit()
        self.optim = QPlainTextEdit()
        for title, edit in (("by hand", self.manual), ("with torch.optim", self.optim)):
            box = QVBoxLayout()
            box.addWidget(QLabel(f"<b>Ball 1's loop, {title}</b>"))
            edit.setReadOnly(True)
            edit.setFont(mono)
            edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            edit.setAccessibleName(f"ball 1's loop, {title}")
            box.addWidget(edit)
            lay.addLayout(box)

    def show_code(self, manual: str, optim: str) -> None:
        if self.manual.toPlainText() != manual:
            self.manual.setPlainText(manual)
        if self.optim.toPlainText() != optim:
            self.optim.setPlainText(optim)


class SettingsTabs(QTabWidget):
    """The editing chrome under the views: Balls, View and Code tabs."""

    def __init__(self, balls: BallsTab, view: ViewTab, code: CodeTab) -> None:
        super().__init__()
        self.setObjectName("section-settings")
        self.setAccessibleName("surface settings: balls, view, code")
        self.balls, self.view, self.code = balls, view, code
        self.addTab(balls, "Balls")
        self.addTab(view, "View")
        self.addTab(code, "Code")
        self.setMaximumHeight(200)
        size_to_current_page(self)
