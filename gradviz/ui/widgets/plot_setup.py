"""Helpers for pyqtgraph plots inside panels."""

from __future__ import annotations

import pyqtgraph as pg


def adopt_plot_menus(plot: pg.PlotWidget) -> None:
    """Give the plot's context menus a Qt parent.

    pyqtgraph creates ``PlotItem.ctrlMenu`` as a top-level ``QMenu`` with no parent, so it outlives
    the panel (the panel contract counts it as a leaked widget). Parenting it to the plot widget,
    with its popup flags kept, lets Qt delete it together with the plot.
    """
    item = plot.getPlotItem()
    menu = getattr(item, "ctrlMenu", None)
    if menu is not None and menu.parent() is None:
        menu.setParent(plot, menu.windowFlags())
    vb_menu = getattr(item.getViewBox(), "menu", None)
    if vb_menu is not None and vb_menu.parent() is None:
        vb_menu.setParent(plot, vb_menu.windowFlags())


def make_plot(bottom: str = "", left: str = "", *, log_x: bool = False, log_y: bool = False,
              grid: float | None = None, min_height: int = 0, si_prefix: bool = True,
              major_ticks_only: bool = False) -> pg.PlotWidget:
    """A panel's plot, set up the one way every panel wants it.

    No context menu or "A" button (a lecture audience should never see pyqtgraph's chrome), menus
    parented so they die with the plot, axis labels, optional log axes and grid.
    ``major_ticks_only`` drops minor grid lines, which tripled a frame's paint time under Xvfb.
    """
    plot = pg.PlotWidget()
    plot.setMenuEnabled(False)
    adopt_plot_menus(plot)
    plot.hideButtons()
    if log_x or log_y:
        plot.setLogMode(x=log_x, y=log_y)
    if grid is not None:
        plot.showGrid(x=True, y=True, alpha=grid)
    if bottom:
        plot.setLabel("bottom", bottom)
    if left:
        plot.setLabel("left", left)
    if not si_prefix:
        plot.getAxis("left").enableAutoSIPrefix(False)
    if major_ticks_only:
        for axis in ("left", "bottom"):
            plot.getAxis(axis).setStyle(maxTickLevel=0)
    if min_height:
        plot.setMinimumHeight(min_height)
    return plot
