"""What the canvas's mouse tools have in common."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint
from PySide6.QtGui import QMouseEvent

if TYPE_CHECKING:
    from gradviz.ui.panels.graph_editor.view import QtGraphView


class CanvasTool:
    """One gesture of the canvas, with the state it needs while it lasts.

    The view offers a mouse press to its tools in turn; a tool whose :meth:`press` returns True
    has taken the press, and while it is :attr:`active` it gets the moves and the release.

    Parameters
    ----------
    view
        The canvas: the tool reads the items under the mouse from it and pushes commands
        through it.
    """

    def __init__(self, view: QtGraphView) -> None:
        self.view = view

    @property
    def active(self) -> bool:
        """True while the gesture lasts (between a taken press and its release)."""
        return False

    def press(self, event: QMouseEvent, pos: QPoint) -> bool:
        """Take the press (True) or leave it to the next tool (False)."""
        return False

    def move(self, event: QMouseEvent, pos: QPoint) -> None:
        """The mouse moved while the gesture is active."""

    def release(self, event: QMouseEvent, pos: QPoint) -> None:
        """The button went up: the gesture ends."""

    def cancel(self) -> None:
        """Drop the gesture without changing the model."""
