"""A named part of a panel: the unit a presentation layout shows or folds as a whole."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from gradviz.ui.widgets.code_view import QtCodeView


class QtSection(QWidget):
    """A panel section (objectName ``section-<name>``) laying its parts out in a column.

    Panels keep their sections as attributes so a layout can show the visualization and the
    stepping controls and fold the editing chrome (settings, code) without knowing the widgets
    inside.

    Parameters
    ----------
    name
        What the section is, e.g. ``"plot"``, ``"stepping"``, ``"code"``.
    """

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"section-{name}")
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)


class QtCodeSection(QtSection):
    """A caption and a code listing with the lines that matter highlighted."""

    def __init__(self, name: str, caption: str, max_lines: int, label: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(name, parent)
        if caption:
            self.box.addWidget(QLabel(caption))
        self.code = QtCodeView(max_lines=max_lines)
        self.code.setAccessibleName(label or caption)
        self.box.addWidget(self.code)

    def show_code(self, lines: Sequence[str], highlight: Sequence[int] = ()) -> None:
        self.code.set_code(lines, highlight)


#: Room around a tab page's sections.
PAGE_MARGIN = 6


def section_page(*sections: QWidget, grow: QWidget) -> QWidget:
    """A tab page holding ``sections`` in a column; ``grow`` takes the height to spare."""
    page = QWidget()
    lay = QVBoxLayout(page)
    lay.setContentsMargins(*[PAGE_MARGIN] * 4)
    for section in sections:
        lay.addWidget(section, 1 if section is grow else 0)
    return page


class QtChoiceButtons(QWidget):
    """A row of radio buttons, one per choice (``titles``: choice → text), left-aligned.
    ``group.idClicked`` reports the clicked choice's index in ``titles``; checking a button from
    the model does not emit it, so showing the model's choice never echoes back."""

    def __init__(self, titles: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        for i, (choice, title) in enumerate(titles.items()):
            button = QRadioButton(title)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.group.addButton(button, i)
            self.buttons[choice] = button
            row.addWidget(button)
        row.addStretch(1)


def wrapped_label(text: str = "") -> QLabel:
    """A label that wraps its text: sentences must not widen a panel."""
    label = QLabel(text)
    label.setWordWrap(True)
    return label
