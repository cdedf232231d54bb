"""Train and test loss against the update count, with up to four earlier runs as faded ghosts
labelled with their settings."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from gradviz.core.playground_ghosts import MAX_GHOSTS, Ghost
from gradviz.ui.panels.playground.plot_bits import flexible_height, name_menu_controls
from gradviz.ui.theme import Theme, style_plot
from gradviz.ui.widgets.panel_section import QtSection
from gradviz.ui.widgets.plot_setup import make_plot


class QtLossView(QtSection):
    """The live run's curves and the ghosts."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("losses", parent)
        self.plot = make_plot("update", "loss", grid=0.2, min_height=120, si_prefix=False,
                              major_ticks_only=True, name="train and test loss curves")
        self.plot.setMouseEnabled(x=False, y=False)
        flexible_height(self.plot)
        name_menu_controls(self.plot)
        self.plot.getAxis("bottom").enableAutoSIPrefix(False)
        self.legend = self.plot.addLegend(offset=(-8, 8))
        self.legend.setLabelTextSize("8pt")
        self.ghost_items = []
        for i in range(MAX_GHOSTS):
            train = self.plot.plot([], [])
            test = self.plot.plot([], [])
            self.ghost_items.append((train, test))
            train.setZValue(-1 - i)
            test.setZValue(-1 - i)
        self.train_curve = self.plot.plot([], [], name="train")
        self.test_curve = self.plot.plot([], [], name="test")
        self.box.addWidget(self.plot, 1)
        self._ghost_labels: list[str] = []
        self._ghosts: tuple[Ghost, ...] = ()

    def show_run(self, steps: list[int], train: list[float], test: list[float]) -> None:
        xs = np.asarray(steps, dtype=float)
        self.train_curve.setData(xs, np.asarray(train, dtype=float), connect="finite")
        self.test_curve.setData(xs, np.asarray(test, dtype=float), connect="finite")
        longest = max([steps[-1] if steps else 0] + [g.steps[-1] for g in self._ghosts if g.train])
        self.plot.setXRange(0, max(longest, 10), padding=0.02)

    def show_ghosts(self, ghosts: tuple[Ghost, ...]) -> None:
        for label in self._ghost_labels:
            self.legend.removeItem(label)
        self._ghost_labels = []
        self._ghosts = ghosts
        for i, (train_item, test_item) in enumerate(self.ghost_items):
            if i < len(ghosts):
                g = ghosts[i]
                xs = np.asarray(g.steps, dtype=float)
                train_item.setData(xs, np.asarray(g.train, dtype=float), connect="finite")
                test_item.setData(xs, np.asarray(g.test, dtype=float), connect="finite")
                label = f"ghost {i + 1}: {g.label}"
                self.legend.addItem(train_item, label)
                self._ghost_labels.append(label)
            else:
                train_item.setData([], [])
                test_item.setData([], [])

    def ghost_labels(self) -> list[str]:
        return list(self._ghost_labels)

    def apply_theme(self, theme: Theme) -> None:
        style_plot(self.plot, theme)
        self.train_curve.setPen(pg.mkPen(theme.accent, width=2.5))
        self.test_curve.setPen(pg.mkPen(theme.positive, width=2, style=Qt.PenStyle.DashLine))
        for i, (train, test) in enumerate(self.ghost_items):
            alpha = 170 - 30 * i
            color = pg.mkColor(theme.muted)
            color.setAlpha(alpha)
            train.setPen(pg.mkPen(color, width=1.5))
            test.setPen(pg.mkPen(color, width=1, style=Qt.PenStyle.DashLine))
