"""The contract every registered panel must pass: builds on an empty model, survives
``model.reset()``, renders a non-blank picture, closes without leaking widgets or connections.

A deliberately broken panel shows that each clause can fail."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QMainWindow

from gradviz.app import build_model
from gradviz.ui.panels import builtin_registry
from gradviz.ui.panels.base import QtPanel
from gradviz.ui.registry import PanelContext, PanelSpec
from gradviz.ui.render import grab, picture_stats
from gradviz.ui.window_common import settle

SPECS = builtin_registry().specs()


def _flush_deletes():
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QApplication.processEvents()


def check_contract(qtbot, spec: PanelSpec, model=None) -> None:
    model = model or build_model()
    host = QMainWindow()
    host.resize(1200, 800)
    qtbot.addWidget(host)
    _flush_deletes()
    widgets_before = len(QApplication.allWidgets())
    connections_before = model.connection_count()

    ctx = PanelContext(model=model, spec=spec, panel_names=lambda: [s.name for s in SPECS])
    panel = spec.factory(ctx)
    assert isinstance(panel, QtPanel)
    assert panel.explainer and panel.title, "every panel carries an explainer and a title"
    dock = QDockWidget(spec.title, host)
    dock.setWidget(panel)
    host.setCentralWidget(dock)
    host.show()
    qtbot.waitExposed(host)
    settle(100)

    model.reset()
    settle(50)
    stats = picture_stats(grab(panel))
    assert not stats.blank, f"{spec.name} rendered a blank picture: {stats}"

    panel.teardown()
    assert model.connection_count() == connections_before, \
        f"{spec.name} left {model.connection_count() - connections_before} model connection(s)"
    host.setCentralWidget(QLabel())
    dock.deleteLater()
    _flush_deletes()
    leaked = len(QApplication.allWidgets()) - widgets_before - 1  # the new QLabel
    assert leaked <= 0, f"{spec.name} leaked {leaked} widget(s)"


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_registered_panel_passes_the_contract(qtbot, spec):
    check_contract(qtbot, spec)


class _BlankPanel(QtPanel):
    panel_name = "broken_blank"
    title = "Broken"
    explainer = "x"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.header.hide()


class _LeakyPanel(QtPanel):
    panel_name = "broken_leaky"
    title = "Leaky"
    explainer = "Connects to the model and never disconnects."

    def __init__(self, ctx):
        super().__init__(ctx)
        ctx.model["mininet"].events.w.connect(self._on_w_changed)  # not through listen()
        self.body_layout.addWidget(QLabel("a label so the picture is not blank " * 3))

    def _on_w_changed(self, value):
        pass


class _ResetCrashPanel(QtPanel):
    panel_name = "broken_reset"
    title = "Reset crash"
    explainer = "Fails when the model is reset."

    def __init__(self, ctx):
        super().__init__(ctx)
        self.listen(ctx.model["mininet"].events.w, self._boom)

    def _boom(self, *_):
        raise RuntimeError("this panel cannot survive a reset")


@pytest.mark.parametrize("cls, message", [
    (_BlankPanel, "blank"),
    (_LeakyPanel, "connection"),
    (_ResetCrashPanel, "reset"),
])
def test_contract_catches_broken_panels(qtbot, cls, message):
    spec = PanelSpec(cls.panel_name, cls.title, cls)
    with pytest.raises(BaseException) as info:
        model = build_model()
        model["mininet"].w = 1.0  # so that reset() really changes w
        check_contract(qtbot, spec, model)
    assert message in str(info.value)
