"""Screen readers and keyboard users get a name for every control of every panel."""

import pytest
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QTextEdit,
    QWidget,
)

from gradviz.ui.panels import builtin_registry

INTERACTIVE = (QAbstractButton, QAbstractSlider, QAbstractSpinBox, QComboBox, QLineEdit,
               QPlainTextEdit, QTextEdit)


def _internal(w, panel) -> bool:
    """Parts of another control (a spin box's line edit, a scroll area's bars, a table's corner
    button) that a screen reader announces as part of their owner, and the insides of pop-up menus
    the panel never opens (pyqtgraph's disabled plot menus)."""
    parent = w.parentWidget()
    return (isinstance(w, QScrollBar) or isinstance(parent, QAbstractSpinBox | QComboBox
                                                     | QAbstractItemView)
            or w.window() is not panel.window())


def _nameless(panel):
    missing = []
    for w in panel.findChildren(QWidget):
        if not isinstance(w, INTERACTIVE) or _internal(w, panel) or not w.isEnabled() or type(w).__name__ == "QtOpenGLWidget":
            continue
        iface = QAccessible.queryAccessibleInterface(w)
        name = iface.text(QAccessible.Text.Name) if iface is not None else ""
        if not name.strip():
            missing.append(f"{type(w).__name__} {w.objectName() or ''}".strip())
    return missing


@pytest.mark.parametrize("name", builtin_registry().names())
def test_every_enabled_control_has_an_accessible_name(declared_panel, name):
    panel = declared_panel(name)
    panel.show()
    assert _nameless(panel) == []
