"""The 3D view: the height-coloured surface, its wireframe, the floor contours, and per ball a
sphere, a −∇f arrow and a trail. It only hands arrays computed in ``gradviz.core.surfaces``
and ``gradviz.core.meshes`` to pyqtgraph's GL items."""

from __future__ import annotations

import functools

import numpy as np
import pyqtgraph as pg
import pyqtgraph.opengl as gl
from pyqtgraph import Vector
from PySide6.QtOpenGLWidgets import QOpenGLWidget

from gradviz.core.meshes import BallPose, balls_mesh, trail_segments
from gradviz.core.surfaces import SurfaceGrid, height_colours, shaded_colours

ARROW_YELLOW = (1.0, 0.86, 0.05, 1.0)
FLOOR_Z = -0.25
CAMERA = {"distance": 4.2, "elevation": 36.0, "azimuth": -62.0}
CAMERA_CENTRE = (0.0, 0.0, 0.3)


class QtGLView(gl.GLViewWidget):
    """A ``GLViewWidget`` that renders only after something in it changed.

    A window repainted for another reason (a scene change paints it two or three times) makes
    every ``QOpenGLWidget`` render again, which software OpenGL pays for in full. Items, the
    camera and the background all ask for a new frame through :meth:`update`, and a new or
    resized framebuffer needs one too; otherwise the last frame, kept by ``PartialUpdate``, is
    shown as it is.
    """

    _stale = True  # until the first frame (pyqtgraph's __init__ already calls update)

    def __init__(self) -> None:
        super().__init__()
        self.setUpdateBehavior(QOpenGLWidget.UpdateBehavior.PartialUpdate)

    def update(self, *args) -> None:
        self._stale = True
        super().update(*args)

    def initializeGL(self) -> None:  # noqa: N802 - Qt's name
        self._stale = True
        super().initializeGL()

    def resizeGL(self, w: int, h: int) -> None:  # noqa: N802 - Qt's name
        self._stale = True
        super().resizeGL(w, h)

    def paintGL(self, *args, **kwargs) -> None:  # noqa: N802 - Qt's name
        if self._stale:
            self._stale = False
            super().paintGL(*args, **kwargs)


def make_gl_view() -> gl.GLViewWidget:
    """The GL widget (a separate function so tests can make it fail like a missing driver)."""
    return QtGLView()


@functools.lru_cache(maxsize=32)
def _rgba(colour: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    c = pg.mkColor(colour)
    return (c.redF(), c.greenF(), c.blueF(), alpha)


class QtSurfaceScene:
    """Owns the ``GLViewWidget`` and its items.

    Scene coordinates: x and y span [-1, 1], heights [0, SCENE_HEIGHT]; see
    :class:`gradviz.core.surfaces.SurfaceGrid`.
    """

    def __init__(self, background: str) -> None:
        self.view = make_gl_view()
        self.view.setObjectName("surface-gl-view")
        self.view.setMinimumSize(240, 200)
        self.set_background(background)
        self._azimuth = CAMERA["azimuth"]
        self._surface_key: str | None = None
        self.reset_camera()
        # Lighting is baked into the colours (no normals). smooth=True makes the item draw the
        # n² shared vertices by index instead of expanding them to 6(n-1)² per-face copies:
        # a surface switch uploads a sixth of the data.
        self.surface = gl.GLSurfacePlotItem(computeNormals=False, smooth=True, shader=None,
                                            glOptions="opaque")
        self.view.addItem(self.surface)
        # Hidden until it has a grid: the network loss arrives from a worker after the first
        # frame, and an item without data fails to draw.
        self.surface.setVisible(False)
        self.floor = gl.GLLinePlotItem(pos=np.zeros((0, 3), np.float32), mode="lines",
                                       width=1.0, glOptions="translucent")
        self.view.addItem(self.floor)
        # All trails in one line item and all balls with their arrows in one mesh: the
        # software renderer's cost per item would otherwise grow with every racing ball.
        self.trails = gl.GLLinePlotItem(pos=np.zeros((0, 3), np.float32), mode="lines",
                                        width=2.5, glOptions="opaque")
        self.view.addItem(self.trails)
        self.balls = gl.GLMeshItem(vertexes=np.zeros((0, 3), np.float32),
                                   faces=np.zeros((0, 3), np.uint32), smooth=True,
                                   computeNormals=False, shader=None, glOptions="opaque")
        self.view.addItem(self.balls)

    # -- camera -------------------------------------------------------------------------
    def reset_camera(self) -> None:
        self.view.opts["center"] = Vector(*CAMERA_CENTRE)
        self.view.setCameraPosition(**{**CAMERA, "azimuth": self._azimuth})

    def set_background(self, colour: str) -> None:
        self.view.setBackgroundColor(colour)

    def projection_view_matrix(self) -> np.ndarray:
        """The 4×4 matrix that maps scene points to clip space as the last frame did."""
        w, h = self.view.width(), self.view.height()
        region = (0, 0, w, h)
        m = self.view.projectionMatrix(region, region) * self.view.viewMatrix()
        return np.array(m.data(), np.float64).reshape(4, 4).T

    # -- the surface ----------------------------------------------------------------------
    def set_grid(self, grid: SurfaceGrid, floor_contour: bool) -> None:
        if grid.surface.key != self._surface_key:
            # A new surface gets its own best view; a new grid size keeps the user's orbit.
            self._surface_key = grid.surface.key
            self._azimuth = grid.surface.azimuth
            self.reset_camera()
        sx, sy = grid.scene_xy
        self.surface.setData(x=sx, y=sy, z=grid.height,
                             colors=shaded_colours(grid).reshape(-1, 4))
        self.surface.setVisible(True)
        self.set_floor(grid, floor_contour)

    def set_floor(self, grid: SurfaceGrid, visible: bool) -> None:
        self.floor.setVisible(visible)
        if not visible:
            return
        levels, segs, which = grid.contours()
        if len(segs) == 0:
            self.floor.setData(pos=np.zeros((0, 3), np.float32))
            return
        nx, ny = grid.surface.domain.normalised(segs[..., 0], segs[..., 1])
        pos = np.stack([nx, ny, np.full(nx.shape, FLOOR_Z)], axis=-1).reshape(-1, 3)
        t = (np.arange(len(levels)) + 0.5) / len(levels)
        colours = height_colours(t, alpha=0.9)[np.repeat(which, 2)]
        self.floor.setData(pos=pos.astype(np.float32), color=colours)

    # -- the balls ------------------------------------------------------------------------
    def set_balls(self, poses: list[BallPose | None], trails: list[np.ndarray],
                  colours: list[str], arrow: bool) -> None:
        rgba = [_rgba(c) for c in colours]
        pos, cols = trail_segments(trails, rgba)
        self.trails.setVisible(len(pos) > 0)
        if len(pos):
            self.trails.setData(pos=pos, color=cols)
        verts, faces, vcols = balls_mesh(poses, rgba, arrow, ARROW_YELLOW)
        self.balls.setVisible(len(verts) > 0)
        if len(verts):
            self.balls.setMeshData(vertexes=verts, faces=faces, vertexColors=vcols)
        self.view.update()
