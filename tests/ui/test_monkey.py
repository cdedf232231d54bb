"""The monkey test: thousands of random UI actions across every panel with a fixed seed.

No exception may escape to the Qt event loop (pytest-qt fails the test if one does), no modal
dialog may hang the run, and memory must stay bounded.

10,000 actions take about 3 minutes on a quiet 2-core machine; ``GRADVIZ_MONKEY_ACTIONS=N``
runs the first N of the same seeded sequence (quicker while developing).
"""

from __future__ import annotations

import os
import random
import resource

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QApplication,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from gradviz.ui.window_common import settle

ACTIONS = int(os.environ.get("GRADVIZ_MONKEY_ACTIONS", "10000"))
SEED = 20261126
RSS_GROWTH_LIMIT_MB = 400

# Texts a curious student might type: good ones, bad ones and hostile ones.
TEXTS = ["x**2", "sin(x)", "0.5*(x-3)**2", "x**2 + 2*x*y", "log(x)", "1/x", "relu(x)", "",
         "x^2", "__import__('os')", "(((", "9**9**9**9", "exp(1000*x)", "zzz", "2x", "-", "nan",
         "x" * 600, "0", "abs(x)", "x = torch.tensor(2.0, requires_grad=True)\nz = x*x"]
# Buttons whose job is to leave or to open an OS-level dialog are not the monkey's to press.
FORBIDDEN_TEXT = ("quit", "exit", "close", "about")


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def _visible(widgets: list[QWidget]) -> list[QWidget]:
    return [w for w in widgets if w.isVisible() and w.isEnabled()]


def _allowed_button(b: QAbstractButton) -> bool:
    text = (b.text() or b.toolTip() or "").lower()
    return not any(word in text for word in FORBIDDEN_TEXT)


@pytest.fixture
def no_modal_dialogs(monkeypatch):
    """File dialogs return "cancelled"; message boxes answer No/Cancel; any other modal widget is
    closed by a watchdog timer, so the run can never block."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: ("", "")))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    for name in ("question", "warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, name,
                            staticmethod(lambda *a, **k: QMessageBox.StandardButton.Cancel))
    monkeypatch.setattr(QMessageBox, "about", staticmethod(lambda *a, **k: None))

    def close_modals():
        w = QApplication.activeModalWidget() or QApplication.activePopupWidget()
        if w is not None:
            w.close()

    timer = QTimer()
    timer.timeout.connect(close_modals)
    timer.start(50)
    yield
    timer.stop()


def _act(rng: random.Random, window, qtbot) -> None:
    roll = rng.random()
    if roll < 0.03:
        act = rng.choice([window.action_undo, window.action_redo])
        if act.isEnabled():
            act.trigger()
        return
    if roll < 0.05:
        name = rng.choice(window.registry.names())
        window.show_panel(name)
        return
    if roll < 0.055:
        window.set_theme(rng.choice(["light", "dark"]))
        return
    if roll < 0.07:
        key = rng.choice([Qt.Key.Key_PageDown, Qt.Key.Key_PageUp, Qt.Key.Key_Right,
                          Qt.Key.Key_Left, Qt.Key.Key_Tab, Qt.Key.Key_Escape, Qt.Key.Key_Delete,
                          Qt.Key.Key_F, Qt.Key.Key_Space])
        target = QApplication.focusWidget() or window
        qtbot.keyClick(target, key)
        return
    panels = [d.panel for d in window.docks.values()
              if d.panel is not None and d.isVisible() and not d.visibleRegion().isEmpty()]
    if not panels:
        return
    panel = rng.choice(panels)
    widgets = _visible(panel.findChildren(QWidget))
    if not widgets:
        return
    if roll < 0.15:
        # A drag somewhere in the panel: plots, canvases, sliders.
        w = rng.choice(widgets)
        if w.width() < 4 or w.height() < 4:
            return
        a = QPoint(rng.randrange(w.width()), rng.randrange(w.height()))
        b = QPoint(rng.randrange(w.width()), rng.randrange(w.height()))
        qtbot.mousePress(w, Qt.MouseButton.LeftButton, pos=a)
        qtbot.mouseMove(w, b)
        qtbot.mouseRelease(w, Qt.MouseButton.LeftButton, pos=b)
        return
    kind = rng.random()
    if kind < 0.35:
        buttons = [b for b in widgets if isinstance(b, QAbstractButton) and _allowed_button(b)]
        if buttons:
            rng.choice(buttons).click()
    elif kind < 0.55:
        sliders = [s for s in widgets if isinstance(s, QAbstractSlider)]
        if sliders:
            s = rng.choice(sliders)
            s.setValue(rng.randint(s.minimum(), s.maximum()))
    elif kind < 0.7:
        spins = [s for s in widgets if isinstance(s, QSpinBox | QDoubleSpinBox)]
        if spins:
            s = rng.choice(spins)
            s.setValue(rng.choice([s.minimum(), s.maximum(),
                                   rng.uniform(s.minimum(), s.maximum())]))
    elif kind < 0.82:
        combos = [c for c in widgets if isinstance(c, QComboBox) and c.count()]
        if combos:
            c = rng.choice(combos)
            c.setCurrentIndex(rng.randrange(c.count()))
    else:
        edits = [e for e in widgets if isinstance(e, QLineEdit | QPlainTextEdit)
                 and not e.isReadOnly()]
        if edits:
            e = rng.choice(edits)
            text = rng.choice(TEXTS)
            if isinstance(e, QLineEdit):
                e.setText(text)
                e.returnPressed.emit()
                e.editingFinished.emit()
            else:
                e.setPlainText(text)


@pytest.mark.slow
def test_random_ui_actions_never_crash(make_window, qtbot, no_modal_dialogs):
    window = make_window()
    window.resize(1600, 1000)
    window.show()
    for name in window.registry.names():
        window.show_panel(name)
    settle(100)
    rng = random.Random(SEED)
    rss_before = _rss_mb()
    for i in range(ACTIONS):
        _act(rng, window, qtbot)
        if i % 10 == 0:
            QApplication.processEvents()
    settle(200)
    growth = _rss_mb() - rss_before
    print(f"monkey: {ACTIONS} actions, RSS growth {growth:.0f} MB")
    assert growth < RSS_GROWTH_LIMIT_MB, f"memory grew by {growth:.0f} MB"
    assert window.isVisible()
