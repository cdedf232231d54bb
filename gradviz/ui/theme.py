"""Light and dark themes for widgets and plots.

Colours for meaning (uphill/downhill, positive/negative gradient) come from the Okabe–Ito
palette, which stays distinguishable for colour-blind viewers and on projectors.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication


@dataclass(frozen=True)
class Theme:
    name: str
    window: str
    base: str
    text: str
    muted: str
    accent: str
    plot_bg: str
    plot_fg: str
    curve: str
    # Okabe–Ito colours for meaning.
    positive: str = "#D55E00"  # vermillion: uphill, positive gradient
    negative: str = "#0072B2"  # blue: downhill, negative gradient
    neutral: str = "#009E73"  # bluish green: flat, converged, ok
    warning: str = "#E69F00"  # orange
    error: str = "#CC3311"


LIGHT = Theme("light", window="#F4F4F2", base="#FFFFFF", text="#1B1B1B", muted="#5A5A5A",
              accent="#0072B2", plot_bg="#FFFFFF", plot_fg="#222222", curve="#1B1B1B")
DARK = Theme("dark", window="#202124", base="#2A2B2E", text="#ECECEC", muted="#A8A8A8",
             accent="#56B4E9", plot_bg="#16171A", plot_fg="#DDDDDD", curve="#F0F0F0",
             positive="#FF8A3D", negative="#56B4E9", neutral="#3FD1A5", warning="#F0C419",
             error="#FF6B5B")
# For projectors in bright rooms: pure black and white, saturated meaning colours.
CONTRAST = Theme("high-contrast", window="#000000", base="#000000", text="#FFFFFF",
                 muted="#E6E6E6", accent="#FFD400", plot_bg="#000000", plot_fg="#FFFFFF",
                 curve="#FFFFFF", positive="#FF8C1A", negative="#33B5FF", neutral="#2EE6A8",
                 warning="#FFD400", error="#FF4D4D")
THEMES = {t.name: t for t in (LIGHT, DARK, CONTRAST)}


def apply_theme(app: QApplication, theme: Theme) -> None:
    """Restyle the widgets; panels restyle their plots in ``QtPanel.apply_theme``."""
    app.setStyle("Fusion")
    pal = QPalette()
    roles = {
        QPalette.ColorRole.Window: theme.window,
        QPalette.ColorRole.WindowText: theme.text,
        QPalette.ColorRole.Base: theme.base,
        QPalette.ColorRole.AlternateBase: theme.window,
        QPalette.ColorRole.Text: theme.text,
        QPalette.ColorRole.Button: theme.window,
        QPalette.ColorRole.ButtonText: theme.text,
        QPalette.ColorRole.ToolTipBase: theme.base,
        QPalette.ColorRole.ToolTipText: theme.text,
        QPalette.ColorRole.Highlight: theme.accent,
        QPalette.ColorRole.HighlightedText: "#FFFFFF",
        QPalette.ColorRole.Link: theme.accent,
        QPalette.ColorRole.PlaceholderText: theme.muted,
    }
    for role, colour in roles.items():
        pal.setColor(role, QColor(colour))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(theme.muted))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(theme.muted))
    app.setPalette(pal)
    pg.setConfigOptions(background=theme.plot_bg, foreground=theme.plot_fg, antialias=True)


def style_plot(plot: pg.PlotWidget | pg.PlotItem, theme: Theme) -> None:
    """Give an existing pyqtgraph plot the theme's colours (new plots pick them up from
    ``pg.setConfigOptions``; existing ones need this)."""
    item = plot.getPlotItem() if isinstance(plot, pg.PlotWidget) else plot
    if isinstance(plot, pg.PlotWidget):
        plot.setBackground(theme.plot_bg)
    for name in ("left", "bottom", "right", "top"):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen(theme.plot_fg))
        axis.setTextPen(pg.mkPen(theme.plot_fg))
    if item.titleLabel is not None:
        item.titleLabel.setText(item.titleLabel.text, color=theme.plot_fg)
