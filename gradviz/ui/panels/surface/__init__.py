"""The loss-surface panel: a 3D surface with balls rolling down it by real ``torch.optim``
optimizers, a linked contour map, a loss-vs-step plot and the code of the loop.

The panel module (and pyqtgraph's OpenGL code) is imported only when the panel is first built,
so listing the panels stays fast.
"""

from __future__ import annotations

from gradviz.ui.registry import PanelContext, PanelSpec


def _build(ctx: PanelContext):
    from gradviz.ui.panels.surface.panel import QtSurfacePanel

    return QtSurfacePanel(ctx)


SPEC = PanelSpec("surface", "Loss surface", _build, area="right", order=80)
