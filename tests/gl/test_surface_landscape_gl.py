"""The network loss really draws in 3D: the surface from the worker's grid, and the red ball at
its projected point and true loss, where the camera's projection puts it."""

from __future__ import annotations

import time

import pytest
from test_surface_gl import _frame, _pixel, _red, _share_near

from gradviz.core.landscape_race import network_frame
from gradviz.ui.render import picture_stats
from gradviz.ui.window_common import settle

pytestmark = pytest.mark.gl


@pytest.fixture
def panel(make_panel, app_model):
    from gradviz.ui.panels.surface.panel import QtSurfacePanel

    app_model["playground"].hidden = (4, 4)
    app_model["playground"].step(100)
    app_model["surface"].net_grid = 31
    p = make_panel(QtSurfacePanel, (1300, 900))
    assert p.scene is not None, p.gl_reason
    return p


def _network_ready(panel) -> bool:
    panel.refresh_now()
    s = panel.state
    land = s.landscapes.get(s.network_key())
    return land is not None and panel.network.race(s, land) is not None


def test_the_network_surface_and_its_projected_ball_are_drawn(qtbot, panel):
    panel.state.surface = "network"
    end = time.monotonic() + 60
    while not _network_ready(panel):
        assert time.monotonic() < end, "the worker did not deliver"
        settle(20)
    panel.state.step(20)
    arr = _frame(panel)
    # The height-coloured surface fills a good part of the view.
    assert (arr[..., 2] > arr[..., 0] + 40).mean() > 0.1
    stats = picture_stats(panel.scene.view.grabFramebuffer())
    assert stats.colours > 500 and not stats.blank
    s = panel.state
    land = s.landscapes.get(s.network_key())
    frame = network_frame(land.grid, panel.network.race(s, land), s.landscapes.index)
    col, row = _pixel(panel, arr, frame.poses[0].centre)
    red = _red(arr)
    assert _share_near(red, col, row, 3) > 0.6, "the red ball is not where the projection says"
    assert red.mean() < 0.03
