"""What the main window shares with its collaborators (presentation, lessons, export, the CLI and
tests): the layout version, the clicker keys, focus rules and ``settle``. They live here so that
no collaborator imports the window module back."""

from __future__ import annotations

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)

#: Bump when the dock arrangement changes incompatibly; older saved layouts are then ignored.
LAYOUT_VERSION = 1
NEXT_KEYS = (Qt.Key.Key_PageDown, Qt.Key.Key_Right)
PREV_KEYS = (Qt.Key.Key_PageUp, Qt.Key.Key_Left)


def text_input_has_focus() -> bool:
    """True when typing goes into a text field: single-key shortcuts must not fire then."""
    w = QApplication.focusWidget()
    if isinstance(w, QLineEdit | QTextEdit | QPlainTextEdit | QAbstractSpinBox):
        return not getattr(w, "isReadOnly", lambda: False)()
    return isinstance(w, QComboBox) and w.isEditable()


def widget_uses_arrows(w: QWidget | None) -> bool:
    """Left/Right belong to sliders, lists and the like when they have focus; PageUp/PageDown
    (what most clickers send) always step."""
    return isinstance(w, QAbstractSlider | QAbstractItemView | QTabBar | QAbstractSpinBox
                      | QComboBox | QLineEdit | QTextEdit | QPlainTextEdit)


def settle(ms: int = 0) -> None:
    """Let pending events and paints run (and wait ``ms`` for GL frames to finish)."""
    app = QApplication.instance()
    app.processEvents()
    if ms:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()
    app.processEvents()
