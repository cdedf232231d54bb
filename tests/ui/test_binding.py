"""The binding helper: bounds and choices from the model, undo through the stack, no echo."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox

from gradviz.core.model import Setting, SettingsModel, StateError
from gradviz.ui.binding import bind
from gradviz.ui.undo import QtCommand
from gradviz.ui.widgets.float_slider import QtFloatSlider


class Knobs(SettingsModel):
    key = "knobs"
    SETTINGS = {
        "rate": Setting(0.5, lo=0.0, hi=2.0, step=0.05, decimals=3, label="learning rate",
                        doc="How far each step moves."),
        "count": Setting(3, lo=1, hi=9, label="count"),
        "mode": Setting("a", choices=("a", "b"), choice_labels=("Alpha", "Beta")),
        "on": Setting(False, label="enabled"),
        "name": Setting("x", max_len=8),
    }
    ACTIONS = {"stepped": (int,)}


@pytest.fixture
def stack():
    return QUndoStack()


def _push(stack):
    def push(command, target=None):
        stack.push(QtCommand(command, target))
        return True
    return push


def test_settings_model_generates_events_and_refuses_bad_values():
    k = Knobs()
    seen = []
    k.events.rate.connect(seen.append)
    k.rate = 1.0
    k.rate = 1.0
    assert seen == [1.0]
    with pytest.raises(StateError):
        k.rate = 5.0
    assert k.rate == 1.0
    assert hasattr(k.events, "stepped")


def test_spin_box_reads_bounds_and_names_from_the_setting(qtbot, stack):
    k = Knobs()
    spin = QDoubleSpinBox()
    qtbot.addWidget(spin)
    bind(spin, k, "rate", push=_push(stack))
    assert (spin.minimum(), spin.maximum(), spin.singleStep(), spin.decimals()) == (0.0, 2.0, 0.05, 3)
    assert spin.accessibleName() == "learning rate"
    assert spin.toolTip() == "How far each step moves."
    assert spin.value() == 0.5


def test_user_edits_merge_into_one_undo_step(qtbot, stack):
    k = Knobs()
    spin = QDoubleSpinBox()
    qtbot.addWidget(spin)
    bind(spin, k, "rate", push=_push(stack))
    for v in (0.6, 0.7, 0.8):
        spin.setValue(v)
    assert k.rate == pytest.approx(0.8)
    assert stack.count() == 1
    stack.undo()
    assert k.rate == 0.5 and spin.value() == 0.5


def test_model_changes_show_without_echo(qtbot, stack):
    k = Knobs()
    combo, check, count, text = QComboBox(), QCheckBox(), QSpinBox(), QLineEdit()
    for w in (combo, check, count, text):
        qtbot.addWidget(w)
    bind(combo, k, "mode", push=_push(stack))
    bind(check, k, "on", push=_push(stack))
    bind(count, k, "count", push=_push(stack))
    bind(text, k, "name", push=_push(stack))
    assert [combo.itemText(i) for i in range(combo.count())] == ["Alpha", "Beta"]
    k.from_dict({"mode": "b", "on": True, "count": 7, "name": "yz"})
    assert (combo.currentData(), check.isChecked(), count.value(), text.text()) == ("b", True, 7, "yz")
    assert stack.count() == 0  # the model's own change pushed no command
    combo.setCurrentIndex(0)
    assert k.mode == "a" and stack.count() == 1


def test_refused_value_restores_the_widget(qtbot, stack):
    class Picky(Knobs):
        def _validate(self, data):
            clean = super()._validate(data)
            if clean.get("count") == 4:
                raise StateError("4 is not allowed")
            return clean

    k = Picky()
    spin = QSpinBox()
    qtbot.addWidget(spin)
    bind(spin, k, "count", push=_push(stack))
    spin.setValue(4)
    assert k.count == 3 and spin.value() == 3


def test_float_slider_gets_its_range_from_the_model(qtbot, stack):
    k = Knobs()
    slider = QtFloatSlider("rate", 0.0, 1.0)
    qtbot.addWidget(slider)
    bind(slider, k, "rate", push=_push(stack))
    assert (slider.lo, slider.hi) == (0.0, 2.0)
    slider.slider.setValue(slider.steps)
    assert k.rate == pytest.approx(2.0)
