"""A named part of a panel: the unit a presentation layout shows or folds as a whole."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from gradviz.ui.widgets.highlighted_code import QtHighlightedCode


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
        self.code = QtHighlightedCode(max_lines=max_lines)
        self.code.setAccessibleName(label or caption)
        self.box.addWidget(self.code)

    def show_code(self, lines: Sequence[str], highlight: Sequence[int] = ()) -> None:
        self.code.set_code(lines, highlight)


def section_page(*sections: QWidget, grow: QWidget) -> QWidget:
    """A tab page holding ``sections`` in a column; ``grow`` takes the height to spare."""
    page = QWidget()
    lay = QVBoxLayout(page)
    lay.setContentsMargins(6, 6, 6, 6)
    for section in sections:
        lay.addWidget(section, 1 if section is grow else 0)
    return page
