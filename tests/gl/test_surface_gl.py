"""The 3D loss surface really draws: the red ball and the yellow arrow are where the camera's
projection puts them, the surface is height-coloured, and presets change the picture."""

from __future__ import annotations

import numpy as np
import pytest

from gradviz.core.meshes import ball_pose, project_point
from gradviz.ui.render import image_to_array, picture_stats
from gradviz.ui.window_common import settle

pytestmark = pytest.mark.gl


@pytest.fixture
def panel(make_panel, app_model):
    from gradviz.ui.panels.surface.panel import QtSurfacePanel

    p = make_panel(QtSurfacePanel, (1300, 900))
    assert p.scene is not None, p.gl_reason
    return p


def _frame(panel) -> np.ndarray:
    panel.refresh_now()
    settle(50)
    return image_to_array(panel.scene.view.grabFramebuffer())[..., :3].astype(int)


def _red(a):
    # by hue: the shaded sphere runs from bright to very dark red
    return (a[..., 0] > 40) & (a[..., 0] > 2.5 * a[..., 1]) & (a[..., 0] > 2.5 * a[..., 2])


def _yellow(a):
    return (a[..., 0] > 200) & (a[..., 1] > 170) & (a[..., 2] < 110)


def _pixel(panel, arr, point):
    """Where a scene point lands in the framebuffer, by the view's projection·view matrix."""
    h, w = arr.shape[:2]
    col, row = project_point(panel.scene.projection_view_matrix(), point, w, h)
    assert 0 <= col < w and 0 <= row < h, (col, row)
    return int(round(col)), int(round(row))


def _share_near(mask, col, row, radius):
    patch = mask[max(row - radius, 0): row + radius + 1, max(col - radius, 0): col + radius + 1]
    return float(patch.mean())


def _pose(panel):
    s = panel.state
    ball = s.race.balls[0]
    return ball_pose(s.grid_data(), *ball.position, ball.loss, *ball.grad)


def test_the_chapters_picture_red_ball_and_yellow_arrow_where_projected(panel):
    panel.apply_preset("chapter3d")
    panel.state.step(3)
    arr = _frame(panel)
    pose = _pose(panel)
    col, row = _pixel(panel, arr, pose.centre)
    red, yellow = _red(arr), _yellow(arr)
    assert _share_near(red, col, row, 3) > 0.8, "the red ball is not where the projection says"
    assert red.mean() < 0.02  # a ball, not a red screen
    mid = (pose.arrow_start + pose.arrow_end) / 2
    mcol, mrow = _pixel(panel, arr, mid)
    assert _share_near(yellow, mcol, mrow, 3) > 0.3, "the yellow arrow is not where projected"
    # far from the ball and the arrow there is no red or yellow
    assert _share_near(red, arr.shape[1] // 10, arr.shape[0] // 10, 5) == 0
    # the bowl is height-coloured: many distinct colours, blue dominating
    stats = picture_stats(panel.scene.view.grabFramebuffer())
    assert stats.colours > 500 and not stats.blank
    blueish = (arr[..., 2] > arr[..., 0] + 40)
    assert blueish.mean() > 0.1


def test_the_ball_moves_where_the_race_goes(panel):
    panel.apply_preset("chapter3d")
    first = _frame(panel)
    c0 = _pixel(panel, first, _pose(panel).centre)
    panel.state.step(15)
    later = _frame(panel)
    c1 = _pixel(panel, later, _pose(panel).centre)
    assert np.hypot(c1[0] - c0[0], c1[1] - c0[1]) > 20
    assert _share_near(_red(later), *c1, 3) > 0.8
    assert _share_near(_red(later), *c0, 2) < 0.5  # only the thin trail is left there


def test_switching_presets_changes_the_picture(panel):
    panel.apply_preset("chapter3d")
    bowl = _frame(panel)
    panel.apply_preset("chapter_saddle")
    saddle = _frame(panel)
    panel.apply_preset("race_rosenbrock")
    valley = _frame(panel)
    for a, b in [(bowl, saddle), (saddle, valley), (bowl, valley)]:
        assert np.abs(a - b).sum(-1).astype(bool).mean() > 0.1


def test_the_arrow_can_be_switched_off(panel):
    panel.apply_preset("chapter3d")
    assert _yellow(_frame(panel)).sum() > 50
    panel.arrow_check.setChecked(False)
    assert _yellow(_frame(panel)).sum() < 10
