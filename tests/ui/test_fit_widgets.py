"""The pieces that make panels fit small screens: rows that wrap, tabs sized to the page on
show, a panel's minimum height for its dock, and the presenter favouring the visualization."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QLabel, QPushButton, QSplitter, QTabWidget, QVBoxLayout, QWidget

from gradviz.core.panel_info import Presenter
from gradviz.ui.panels.base import QtPanel
from gradviz.ui.registry import PanelContext, PanelSpec
from gradviz.ui.widgets.page_sized_tabs import size_to_current_page
from gradviz.ui.widgets.wrap_row import SHORT_TEXT, QtWrapRow
from gradviz.ui.window_common import settle


def test_a_wrap_row_is_one_line_when_wide_and_wraps_when_narrow(qtbot):
    host = QWidget()
    qtbot.addWidget(host)
    row = QtWrapRow(host)
    buttons = [QPushButton(f"Button number {i}") for i in range(4)]
    for b in buttons:
        row.add(b)
    one_line = row.sizeHint()
    host.resize(one_line.width() + 10, one_line.height())
    host.show()
    settle()
    assert len({b.y() for b in buttons}) == 1
    assert row.heightForWidth(one_line.width()) == one_line.height()
    narrow = buttons[0].sizeHint().width() * 2 + 20
    assert row.minimumSize().width() <= buttons[0].sizeHint().width() + 1
    assert row.heightForWidth(narrow) >= 2 * one_line.height()
    host.resize(narrow, row.heightForWidth(narrow))
    settle()
    assert len({b.y() for b in buttons}) == 2
    assert all(b.geometry().right() < narrow for b in buttons)


def test_a_wrap_row_shows_short_texts_before_it_wraps_and_full_ones_when_wide(qtbot):
    host = QWidget()
    qtbot.addWidget(host)
    row = QtWrapRow(host)
    restart, step, named = QPushButton("↺ Restart from the very start"), QPushButton("Step"), \
        QLabel("a label naming the next control")
    restart.setProperty(SHORT_TEXT, "↺")
    named.setProperty(SHORT_TEXT, "")
    for w in (restart, step, named, QPushButton("1×")):
        row.add(w)
    wide = row.sizeHint()
    host.resize(wide.width() + 10, wide.height())
    host.show()
    settle()
    assert restart.text() == "↺ Restart from the very start" and named.isVisible()
    host.resize(wide.width() // 2, wide.height())
    settle()
    assert restart.text() == "↺" and not named.isVisible()
    assert len({w.y() for w in (restart, step)}) == 1  # short texts: still one line
    host.resize(wide.width() + 10, wide.height())
    settle()
    assert restart.text() == "↺ Restart from the very start" and named.isVisible()


def test_tabs_ask_only_for_the_page_on_show(qtbot):
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    short, tall, content = QLabel("short"), QWidget(), QWidget()
    content.setMinimumHeight(900)
    QVBoxLayout(tall).addWidget(content)
    tabs.addTab(short, "Short")
    tabs.addTab(tall, "Tall")
    before = tabs.minimumSizeHint().height()
    size_to_current_page(tabs)
    assert tabs.minimumSizeHint().height() < 200 < before
    tabs.setCurrentIndex(1)
    assert tabs.minimumSizeHint().height() >= 900


class Plot(QWidget):
    """Stands in for a plot: small minimum, large preferred size."""

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(640, 900)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(100, 120)


class SplitPanel(QtPanel):
    explainer = "A plot beside some controls."

    def __init__(self, ctx):
        super().__init__(ctx)
        self.plot = Plot()
        self.plot.setObjectName("section-plot")
        self.side = QWidget()
        self.side.setObjectName("section-steps")
        QVBoxLayout(self.side).addWidget(QPushButton("Step"))
        self.split = QSplitter()
        self.split.addWidget(self.plot)
        self.split.addWidget(self.side)
        self.note = QLabel("A sentence long enough to wrap onto a second line in a narrow "
                           "panel, as explainers do.")
        self.note.setWordWrap(True)
        self.body_layout.addWidget(self.split, 1)
        self.body_layout.addWidget(self.note)


@pytest.fixture
def split_panel(qtbot):
    spec = PanelSpec("split", "Split", SplitPanel, presenter=Presenter(show=("plot", "steps")))
    panel = SplitPanel(PanelContext(model=None, spec=spec))
    qtbot.addWidget(panel)
    panel.resize(900, 600)
    panel.show()
    qtbot.waitExposed(panel)
    yield panel
    panel.teardown()


def test_a_panel_asks_its_dock_for_its_minimum_not_its_preferred_height(split_panel):
    panel = split_panel
    width = panel.width()
    preferred = panel.layout().totalHeightForWidth(width)
    needed = panel.heightForWidth(width)
    assert needed < preferred  # the plot's preferred 900 px is not a minimum
    assert needed >= panel.minimumSizeHint().height()
    assert needed >= panel.note.heightForWidth(panel.note.width())


def test_presenting_gives_the_visualization_what_the_other_panes_leave(split_panel):
    panel = split_panel
    panel.split.setSizes([450, 450])
    settle()
    panel.set_presenting(True, 1.5)
    settle()
    side_least = panel.side.minimumSizeHint().width()
    assert panel.side.width() <= side_least + 2
    assert panel.plot.width() >= panel.split.width() - side_least - panel.split.handleWidth() - 2
    panel.set_presenting(False)
    settle()
    assert abs(panel.plot.width() - panel.side.width()) <= 2  # the sizes it had come back
