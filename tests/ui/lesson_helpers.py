"""Shared by the lesson, presentation, scenes and export tests."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit

from gradviz.ui.panels.base import QtPanel


class ScriptedDialogs:
    """Answers the lesson controller's questions from a script and records what was asked."""

    def __init__(self, save_changes="discard", open_path=None, save_path=None, revert=True,
                 recover="later"):
        self.answers = {"save_changes": save_changes, "open_path": open_path,
                        "save_path": save_path, "revert": revert, "recover": recover}
        self.asked: list[str] = []
        self.errors: list[tuple[str, str]] = []

    def ask_save_changes(self, name):
        self.asked.append(f"save_changes:{name}")
        return self.answers["save_changes"]

    def open_path(self, directory):
        self.asked.append("open_path")
        return self.answers["open_path"]

    def save_path(self, suggested):
        self.asked.append("save_path")
        return self.answers["save_path"]

    def confirm_revert(self, name):
        self.asked.append("revert")
        return self.answers["revert"]

    def ask_recover(self, when, source):
        self.asked.append("recover")
        return self.answers["recover"]

    def error(self, title, message):
        self.errors.append((title, message))


class StepperPanel(QtPanel):
    """Three steps (0 → 1 → 2), then it refuses, so the clicker moves on to the next scene."""

    panel_name = "stepper"
    title = "Stepper"
    explainer = "Counts clicker steps, from 0 to 2."

    def __init__(self, ctx):
        super().__init__(ctx)
        self.position = 0
        self.label = QLabel("position 0 " * 8)
        self.field = QLineEdit()
        self.body_layout.addWidget(self.label)
        self.body_layout.addWidget(self.field)

    def can_step(self):
        return True

    def step(self, direction):
        target = self.position + direction
        if not 0 <= target <= 2:
            return False
        self.position = target
        self.label.setText(f"position {target} " * 8)
        return True


def stepper_registry():
    from gradviz.ui.panels import builtin_registry
    from gradviz.ui.registry import PanelSpec

    reg = builtin_registry()
    reg.register(PanelSpec("stepper", "Stepper", StepperPanel, area="right"))
    return reg
