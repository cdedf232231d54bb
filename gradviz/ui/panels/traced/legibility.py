"""How tall the traced canvas's text is, and the least zoom at which it reads.

The canvas draws its text in scene units; on screen it is that height times the view's zoom.
At the normal scale a box's shape or value line must be at least ``LEGIBLE_PX`` on screen to be
drawn at all (below that the box shows its title only). While presenting, values and gradients
follow the hand-built canvas's rule (:mod:`gradviz.ui.panels.graph_editor.tools.zoom`): at least
``PRESENT_PX_PER_SCALE`` × the presentation scale, and never under ``PRESENT_MIN_PX``.
"""

from __future__ import annotations

#: Scene units: a box's title (bold), its shape and value lines, and at most the title of a
#: box drawn compact (title only, as large as its box allows).
TITLE_PX = 16.0
BODY_PX = 14.0
COMPACT_PX = 20.0
#: The least on-screen height of a line a student reads on a laptop at the normal scale.
LEGIBLE_PX = 11.0
PRESENT_PX_PER_SCALE = 12.0
PRESENT_MIN_PX = 18.0
#: Graphs of up to this many boxes are framed at a legible zoom even when not presenting (a
#: longer chain scrolls and the view follows the active box); larger ones fit whole.
SMALL_GRAPH = 40
#: A hair above the floor, so rounding never lands the type a fraction of a pixel under it.
HEADROOM = 1.005


def value_px(presenting_scale: float | None) -> float:
    """The on-screen height values and gradients must reach: ``LEGIBLE_PX`` at the normal
    scale (``None``), else ``PRESENT_PX_PER_SCALE`` × the scale and at least
    ``PRESENT_MIN_PX``."""
    if presenting_scale is None:
        return LEGIBLE_PX
    return max(PRESENT_MIN_PX, PRESENT_PX_PER_SCALE * presenting_scale)


def legible_zoom(presenting_scale: float | None) -> float:
    """The least zoom at which a box's shape and value lines are ``value_px`` on screen."""
    return value_px(presenting_scale) * HEADROOM / BODY_PX
