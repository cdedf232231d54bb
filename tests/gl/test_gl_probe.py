import pytest

from gradviz.ui.gl_info import gl_renderer
from gradviz.ui.gl_probe import probe_opengl

pytestmark = pytest.mark.gl


def test_opengl_draws_a_red_sphere(qapp):
    ok, message = probe_opengl()
    assert ok, message


def test_renderer_is_reported(qapp):
    assert not gl_renderer().startswith("unavailable"), gl_renderer()
