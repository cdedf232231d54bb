"""Helpers for pyqtgraph plots inside panels."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QGraphicsItem, QWidget


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
              major_ticks_only: bool = False, left_tick_text: str = "",
              name: str = "", plot: pg.PlotWidget | None = None) -> pg.PlotWidget:
    """A panel's plot, set up the one way every panel wants it.

    No context menu or "A" button (a lecture audience should never see pyqtgraph's chrome), menus
    parented so they die with the plot, axis labels, optional log axes and grid.
    ``major_ticks_only`` drops minor grid lines, which tripled a frame's paint time under Xvfb.
    ``left_tick_text`` (the widest tick label expected, e.g. ``"0.001"``) fixes the left axis'
    width so its rotated label keeps a clear gap from the tick labels: pyqtgraph's own estimate
    counts only 0.8 of the label's height, and the label then touches them. ``name`` is the
    accessible name of the plot (and of its viewport, which takes the keyboard focus).
    ``plot`` sets up an existing widget (a ``pg.PlotWidget`` subclass, from its ``__init__``)
    instead of making a new one.
    """
    if plot is None:
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
    if name:
        plot.setAccessibleName(name)
        plot.viewport().setAccessibleName(name)
    if left_tick_text:
        _fit_left_axis(plot.getAxis("left"), left_tick_text)
    cache_axes(plot)
    return plot


def cache_axes(plot: pg.PlotWidget) -> None:
    """Keep each axis' picture as pixels between changes. An axis replays its tick texts on
    every paint (about 12 ms at a presentation scale under Xvfb), and a window is painted more
    than once for one change; a cached axis is drawn again only when it changes (``update``)."""
    for name in ("left", "bottom", "right", "top"):
        plot.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def _fit_left_axis(axis: pg.AxisItem, widest: str, gap: int = 6) -> None:
    font = axis.style.get("tickFont") or axis.font()
    text = QFontMetrics(font).horizontalAdvance(widest)
    label = axis.label.boundingRect().height() if axis.label.isVisible() else 0
    axis.setWidth(int(text + axis.style["tickTextOffset"][0] + max(0, axis.style["tickLength"])
                      + label + gap))


def _points(size: str) -> float:
    """A legend's CSS text size (``"9pt"``, ``"12px"``) in points (a pixel taken as 0.75 pt)."""
    size = size.strip()
    if size.endswith("px"):
        return float(size[:-2]) * 0.75
    return float(size.removesuffix("pt"))


def scale_legend(legend: pg.LegendItem, scale: float) -> None:
    """Size a legend's text ``scale`` times its original size (``1.0`` restores it).

    pyqtgraph's ``setLabelTextSize`` only records the size for rows added later; each label is
    set again so it redraws, and the rows are laid out afresh, since the grid keeps the height
    it grew to when the text only shrinks (after presenting, the lines stood far apart)."""
    base = getattr(legend, "_gv_base_pt", None)
    if base is None:
        base = legend._gv_base_pt = _points(legend.opts["labelTextSize"])
    size = f"{base * scale:.4g}pt"
    if size == legend.opts["labelTextSize"]:
        return
    legend.setLabelTextSize(size)
    grid = legend.layout
    for i in range(grid.count() - 1, -1, -1):
        grid.removeAt(i)
    for sample, label in legend.items:
        label.setText(label.text)
        legend._addItemToLayout(sample, label)
    legend.resize(grid.effectiveSizeHint(Qt.SizeHint.PreferredSize))
    grid.activate()
    legend.updateSize()


def scale_legends(root: QWidget, scale: float) -> None:
    """:func:`scale_legend` for every legend of the pyqtgraph plots under ``root``."""
    for plot in root.findChildren(pg.PlotWidget):
        legend = plot.getPlotItem().legend
        if legend is not None:
            scale_legend(legend, scale)
