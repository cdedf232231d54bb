"""The questions the lesson controller asks the user, behind one small interface.

The window uses :class:`QtLessonDialogs`; ``--screenshot``, ``--selftest`` and tests use
:class:`NonInteractiveDialogs` (or their own scripted answers), so no modal dialog can ever
block a batch run.
"""

from __future__ import annotations

import logging
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

log = logging.getLogger(__name__)
FILE_FILTER = "GradViz lessons (*.gradviz);;All files (*)"


class LessonDialogs(Protocol):
    def ask_save_changes(self, name: str) -> str:
        """``"save"``, ``"discard"`` or ``"cancel"``."""

    def open_path(self, directory: str) -> str | None: ...

    def save_path(self, suggested: str) -> str | None: ...

    def confirm_revert(self, name: str) -> bool: ...

    def ask_recover(self, when: str, source: str | None) -> str:
        """``"restore"``, ``"discard"`` or ``"later"``."""

    def error(self, title: str, message: str) -> None: ...


class QtLessonDialogs:
    """Modal Qt dialogs, parented to the window."""

    def __init__(self, parent: QWidget) -> None:
        self.parent = parent

    def ask_save_changes(self, name: str) -> str:
        box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved changes",
                          f"“{name}” has changes that are not saved.", parent=self.parent)
        box.setTextFormat(Qt.TextFormat.PlainText)  # file names are not markup
        box.setInformativeText("Save them before going on?")
        box.setStandardButtons(QMessageBox.StandardButton.Save
                               | QMessageBox.StandardButton.Discard
                               | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        return {QMessageBox.StandardButton.Save: "save",
                QMessageBox.StandardButton.Discard: "discard"}.get(
            QMessageBox.StandardButton(answer), "cancel")

    def open_path(self, directory: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.parent, "Open lesson", directory, FILE_FILTER)
        return path or None

    def save_path(self, suggested: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self.parent, "Save lesson", suggested, FILE_FILTER)
        return path or None

    def confirm_revert(self, name: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, "Revert",
                          f"Throw away every change since “{name}” was last saved?",
                          QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                          self.parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        return box.exec() == QMessageBox.StandardButton.Discard

    def ask_recover(self, when: str, source: str | None) -> str:
        what = f"your unsaved work on “{source}”" if source else "unsaved work"
        box = QMessageBox(QMessageBox.Icon.Question, "Recover unsaved work",
                          f"GradViz did not close properly last time. It kept a copy of {what} "
                          f"from {when}.", parent=self.parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText("Restore it now?")
        restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Ask me later", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(restore)
        box.exec()
        clicked = box.clickedButton()
        return "restore" if clicked is restore else "discard" if clicked is discard else "later"

    def error(self, title: str, message: str) -> None:
        # Messages quote file names and file contents: shown as plain text, never as markup.
        box = QMessageBox(QMessageBox.Icon.Warning, title, message,
                          QMessageBox.StandardButton.Ok, self.parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()


class NonInteractiveDialogs:
    """Answers without asking: never blocks. Unsaved changes are discarded (a batch run never
    makes any), recovery is left for an interactive start, errors are kept and logged."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []

    def ask_save_changes(self, name: str) -> str:
        return "discard"

    def open_path(self, directory: str) -> str | None:
        return None

    def save_path(self, suggested: str) -> str | None:
        return None

    def confirm_revert(self, name: str) -> bool:
        return True

    def ask_recover(self, when: str, source: str | None) -> str:
        return "later"

    def error(self, title: str, message: str) -> None:
        self.errors.append((title, message))
        log.warning("%s: %s", title, message)
