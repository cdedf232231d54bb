"""Real renders of the node editor: the three examples mid-backward, pulses and labels drawn."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QMainWindow

from gradviz.app import build_model
from gradviz.ui.panels.graph_editor.panel import QtGraphEditorPanel
from gradviz.ui.registry import PanelContext
from gradviz.ui.render import grab, image_to_array, picture_stats
from gradviz.ui.window_common import settle

#: Set GRADVIZ_SHOTS=/some/dir to keep the screenshots for looking at them.
SHOTS = os.environ.get("GRADVIZ_SHOTS")


@pytest.fixture
def panel(qtbot):
    host = QMainWindow()
    host.resize(1500, 950)
    qtbot.addWidget(host)
    p = QtGraphEditorPanel(PanelContext(model=build_model()))
    host.setCentralWidget(p)
    host.show()
    qtbot.waitExposed(host)
    settle(30)
    yield p
    p.teardown()


def mid_backward(panel: QtGraphEditorPanel, name: str, t: float = 0.45):
    """Open example ``name``, step into the middle of its backward pass, freeze the pulse."""
    panel.open_example(name)
    settle(20)
    panel.view.fit_all()
    frames = panel.player.frames
    first = panel.player.first_backward()
    target = first + (len(frames) - first) // 2
    while panel.player.pos is None or panel.player.pos < target:
        panel.step(+1)
    panel.player.timeline.stop()
    panel._on_pulse(t)
    settle(30)
    return frames[target]


def region(image, centre: QPoint, r: int) -> np.ndarray:
    arr = image_to_array(image)[..., :3].astype(int)
    x, y = centre.x(), centre.y()
    return arr[max(0, y - r):y + r + 1, max(0, x - r):x + r + 1]


@pytest.mark.parametrize("name", ["chain", "two_paths", "mini_network"])
def test_examples_mid_backward_render(panel, name, tmp_path):
    frame = mid_backward(panel, name)
    image = grab(panel)
    stats = picture_stats(image)
    assert not stats.blank and stats.colours > 200, stats
    out = Path(SHOTS) if SHOTS else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    assert image.save(str(out / f"graph_{name}_mid_backward.png"))
    # The caption says which edge carries gradient, in words.
    assert panel.caption.text().startswith("Backward step")
    assert frame.phase == "backward"


def test_pulse_and_labels_are_drawn(panel):
    frame = mid_backward(panel, "two_paths", t=0.3)
    view = panel.view
    edge_item = view.edges[frame.step.edge]
    assert view.pulse.isVisible()
    image = view.viewport().grab().toImage()
    # The pulse: a filled disk in the colour of the gradient's sign, where the model's schedule
    # says gradient is flowing now.
    centre = view.mapFromScene(view.pulse.scenePos())
    fill = view.pulse.brush().color()
    patch = region(image, centre, 3)
    close = np.abs(patch - np.array([fill.red(), fill.green(), fill.blue()])).sum(axis=2) < 40
    assert close.mean() > 0.6, "the pulse is not drawn where it should be"
    view.hide_pulse()
    settle(10)
    hidden = region(view.viewport().grab().toImage(), centre, 3)
    assert not np.array_equal(hidden, patch)
    # Labels: every edge that has carried gradient shows its number in a boxed label.
    done = [item for item in view.edges.values() if item.view.state in ("done", "current")]
    assert len(done) >= 3
    bg = QColor(view.style.label_fill)
    for item in done:
        assert item.label.isVisible() and item.label.text
        rect = view.mapFromScene(item.label.sceneBoundingRect()).boundingRect()
        arr = image_to_array(image)[rect.top():rect.bottom(), rect.left():rect.right(), :3]
        assert arr.size
        text_like = (np.abs(arr.astype(int) - [bg.red(), bg.green(), bg.blue()]).sum(axis=2)
                     > 200).mean()
        assert text_like > 0.03, f"label {item.label.text!r} is not drawn"
    # An edge still to come has no label yet.
    pending = [item for item in view.edges.values() if item.view.state == "pending"]
    assert pending and all(not item.label.isVisible() for item in pending)
    assert edge_item.view.state == "current"


@pytest.mark.parametrize("name", ["chain", "two_paths", "mini_network"])
def test_no_label_overlaps_in_the_examples_default_layout(panel, name):
    """Nodes and edge labels of each example, as laid out, never cover one another."""
    panel.open_example(name)
    settle(20)
    view = panel.view
    view.fit_all()
    settle(10)
    boxes = [(f"node {item.node.label}", item.sceneBoundingRect().adjusted(6, 6, -6, -6))
             for item in view.nodes.values()]
    labels = [item.label for item in view.edges.values() if item.label.isVisible()]
    assert labels, "the finished run labels its edges"
    boxes += [(f"label {lab.text}", lab.sceneBoundingRect()) for lab in labels]
    for i, (a, ra) in enumerate(boxes):
        for b, rb in boxes[i + 1:]:
            assert not ra.intersects(rb), f"{name}: {a} overlaps {b}"
