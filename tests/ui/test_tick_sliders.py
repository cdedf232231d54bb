"""Sliders whose positions mean something, bound to a setting: the range comes from the model,
one position is one step (or 1/100 of a decade), and the inner slider carries the name."""

from __future__ import annotations

import pytest

from gradviz.core.model import Setting, SettingsModel
from gradviz.ui.binding import bind
from gradviz.ui.widgets.tick_sliders import QtDecadeSlider, QtStepSlider


class Dial(SettingsModel):
    key = "dial"
    SETTINGS = {
        "delta": Setting(0.1, lo=-2.0, hi=2.0, step=0.01, label="nudge", doc="How far."),
        "rate": Setting(0.1, lo=1e-4, hi=10.0, log=True, label="rate", doc="How fast."),
    }


def test_step_slider_positions_are_whole_steps_of_the_setting(qtbot):
    model = Dial()
    control = QtStepSlider("δ", step=Dial.setting("delta").step)
    qtbot.addWidget(control)
    bind(control, model, "delta")
    assert (control.slider.minimum(), control.slider.maximum()) == (-200, 200)
    assert control.slider.value() == 10
    control.slider.setValue(-150)
    assert model.delta == pytest.approx(-1.5)
    model.delta = 0.25
    assert control.slider.value() == 25
    assert control.slider.accessibleName() == "nudge" and control.toolTip() == "How far."


def test_decade_slider_has_a_hundred_positions_per_decade(qtbot):
    model = Dial()
    control = QtDecadeSlider("", 100)
    qtbot.addWidget(control)
    bind(control, model, "rate")
    assert (control.slider.minimum(), control.slider.maximum()) == (0, 500)
    assert control.slider.value() == 300  # 0.1 is three decades above 1e-4
    control.slider.setValue(200)
    assert model.rate == pytest.approx(0.01)
    control.slider.setValue(500)
    assert model.rate == 10.0
