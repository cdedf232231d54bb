"""The training loop diagram's turned label ("press Run or Next phase", "repeat — step n") is
never cut off: at any widget size the panel gives it and any presentation font scale, the text
drawn lies inside the widget and inside the rectangle the painter draws it in."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import QApplication

from gradviz.core.training import PHASE_CODE, PHASES
from gradviz.ui.panels.training_sections import CAPTIONS
from gradviz.ui.render import grab, picture_stats
from gradviz.ui.widgets.loop_diagram import QtLoopDiagram

#: The diagram's minimum, and what the panel gave it at 1366×768, 1600×1000 and presenting.
SIZES = ((300, 240), (539, 384), (633, 616), (460, 320), (1200, 900))
SCALES = (1.0, 1.5, 2.0, 2.5, 3.0)
TEXTS = ("press Run or Next phase", "repeat — step 123456", "")


@pytest.fixture
def diagram(qtbot):
    widget = QtLoopDiagram([(k, PHASE_CODE[k], CAPTIONS[k]) for k in PHASES])
    widget.set_skipped("zero_grad", "skipped by the buggy run")
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.mark.parametrize("scale", SCALES)
def test_turned_label_lies_inside_the_widget_whole(qtbot, diagram, scale):
    font = QFont(QApplication.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    diagram.setFont(font)
    for size in SIZES:
        diagram.resize(*size)
        for text in TEXTS:
            diagram.set_centre_text(text)
            place = diagram.label_place()
            assert place.text == (text or "repeat")  # the whole text, not an elided one
            fm = QFontMetricsF(place.font)
            length, thickness = fm.horizontalAdvance(place.text), fm.height()
            # The painter draws in draw_rect, turned 90° about the centre: the text must fit it.
            assert place.draw_rect.width() >= length - 0.5
            assert place.draw_rect.height() >= thickness - 0.5
            upright = QRectF(place.centre.x() - thickness / 2, place.centre.y() - length / 2,
                             thickness, length)
            assert QRectF(diagram.rect()).contains(upright), (size, scale, text, upright)
            # Right of the boxes and their return arrow, never over them.
            assert upright.left() > diagram.box_rects()[0].right()
            assert not picture_stats(grab(diagram)).blank


def test_label_keeps_its_font_where_it_fits(qtbot, diagram):
    diagram.resize(633, 616)
    diagram.set_centre_text("press Run or Next phase")
    base = QFont(diagram.font())
    base.setPointSizeF(max(base.pointSizeF(), 9) * 0.9)
    assert diagram.label_place().font.pointSizeF() == pytest.approx(base.pointSizeF())
