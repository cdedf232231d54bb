"""While presenting, a table shows no elided or cut column (it drops its explanatory ones
first) and every plot legend's text grows with the scale; both come back on leaving."""

from __future__ import annotations

import pytest
from layout_fit_checks import table_problems

from gradviz.ui.panels.approaches import QtApproachesPanel
from gradviz.ui.panels.approaches_sections import HOW_COLUMN
from gradviz.ui.window_common import settle


@pytest.fixture
def panel(make_panel):
    return make_panel(QtApproachesPanel, (1300, 900), prepare=lambda p: p._start_timer.stop())


def _at_width(panel, width: int) -> None:
    panel.resize(width, panel.height())
    settle()


def test_presenting_table_fits_its_text_and_drops_how_only_when_narrow(panel):
    table = panel.table
    full = table.width_for(range(table.columnCount()))
    _at_width(panel, 600)
    assert table_problems(panel), "the desktop layout elides at this width: the check sees it"
    panel.set_presenting(True, 1.5)
    _at_width(panel, 1300)
    assert table.width() >= full and not table.isColumnHidden(HOW_COLUMN)
    assert table_problems(panel) == []
    _at_width(panel, full - 40)
    assert table.isColumnHidden(HOW_COLUMN)
    assert table_problems(panel) == []
    assert panel.table.item(1, 0).text() == "numerical: forward"  # the names stay
    panel.set_presenting(False)
    settle()
    assert not any(table.isColumnHidden(c) for c in range(table.columnCount()))


def test_presenting_row_stacks_what_does_not_fit_side_by_side(panel):
    panel.set_presenting(True, 1.5)
    row, section, slider = (panel.presenter_sections.arrangement.row,
                            panel.comparison_section, panel.h_slider)
    _at_width(panel, 1300)
    assert slider.x() >= section.geometry().right()  # side by side
    _at_width(panel, row.side_by_side_width() - 20)
    assert slider.y() >= section.geometry().bottom()  # under the table
    assert table_problems(panel) == []


def _label_heights(legend) -> list[float]:
    return [label.itemRect().height() for _, label in legend.items]


def test_legend_text_grows_with_the_scale_and_comes_back(panel):
    legend = panel.v_legend
    before, box = _label_heights(legend), legend.boundingRect().height()
    panel.set_presenting(True, 1.5)
    at_15 = _label_heights(legend)
    panel.set_presenting(True, 2.5)
    at_25 = _label_heights(legend)
    assert all(b * 1.3 < m < t for b, m, t in zip(before, at_15, at_25, strict=True))
    assert legend.boundingRect().height() > 1.5 * box
    panel.set_presenting(False)
    assert _label_heights(legend) == pytest.approx(before, abs=1)
    assert legend.boundingRect().height() == pytest.approx(box, abs=1)
