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
