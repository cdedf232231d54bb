"""The surface panel's "Network loss" source: its controls (plane, grid, span, seeds, progress,
Cancel, Recompute) and the controller that asks the worker for grids and races, caches them in
the model and hands the views what to draw.

The maths is Qt-free (:mod:`gradviz.core.landscape_source`, :mod:`gradviz.core.landscape_race`);
this module only decides when to compute and shows the state of the computation.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gradviz.core.landscape_race import NetRace, compute_race, race_key
from gradviz.core.landscape_source import Landscape, compute_landscape
from gradviz.core.loss_surface import LossSurface
from gradviz.ui.panels.surface.worker import LandscapeWorker
from gradviz.ui.theme import Theme, style_plot
from gradviz.ui.widgets.plot_setup import make_plot

Bind = Callable[[QWidget, Any, str], Any]
#: Seconds between two updates of the progress bar.
PAINT_EVERY_S = 0.25


class NetworkControls(QWidget):
    """The network source's settings (bound) and the computation's progress and buttons."""

    def __init__(self, state: LossSurface, bind: Bind) -> None:
        super().__init__()
        self.setObjectName("section-network")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        row = QHBoxLayout()
        outer.addLayout(row)
        self.plane_combo = QComboBox()
        self.plane_combo.setObjectName("surface-net-plane")
        bind(self.plane_combo, state, "net_plane")
        self.grid_spin = QSpinBox()
        self.grid_spin.setObjectName("surface-net-grid")
        self.span_spin = QDoubleSpinBox()
        self.span_spin.setObjectName("surface-net-span")
        self.seed_spins = (QSpinBox(), QSpinBox())
        row.addWidget(QLabel("plane:"))
        row.addWidget(self.plane_combo)
        for text, widget, name in (("grid:", self.grid_spin, "net_grid"),
                                   ("span:", self.span_spin, "net_span"),
                                   ("seeds δ, η:", self.seed_spins[0], "net_seed1"),
                                   ("", self.seed_spins[1], "net_seed2")):
            widget.setKeyboardTracking(False)
            bind(widget, state, name)
            if text:
                row.addWidget(QLabel(text))
            row.addWidget(widget)
        row.addStretch(1)
        status = QHBoxLayout()
        outer.addLayout(status)
        self.progress = QProgressBar()
        self.progress.setObjectName("surface-net-progress")
        self.progress.setAccessibleName("progress of the network loss grid")
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(220)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("surface-net-cancel")
        self.cancel_button.setToolTip("Stop computing the network loss")
        self.recompute_button = QPushButton("Recompute")
        self.recompute_button.setObjectName("surface-net-recompute")
        self.recompute_button.setToolTip("Compute the surface for the network's current weights")
        self.status = QLabel()
        self.status.setObjectName("surface-net-status")
        self.status.setWordWrap(True)
        for w in (self.progress, self.cancel_button, self.recompute_button):
            status.addWidget(w)
        status.addWidget(self.status, 1)

    def show_plane(self, plane: str) -> None:
        """Span and seeds only shape the random plane; the three-point one has neither."""
        for w in (self.span_spin, *self.seed_spins):
            w.setEnabled(plane == "random")

    def show_busy(self, text: str, fraction: float | None) -> None:
        """A computation is running (``fraction`` None: no progress to show)."""
        self.progress.setVisible(fraction is not None)
        self.progress.setValue(int(round(100 * (fraction or 0.0))))
        self.cancel_button.setVisible(True)
        self.recompute_button.setVisible(False)
        self.status.setText(text)

    def show_idle(self, text: str, offer_recompute: bool) -> None:
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self.recompute_button.setVisible(offer_recompute)
        self.status.setText(text)


class NetworkSource:
    """Decides what the network source computes and when; keeps the worker's results.

    ``landscape(state)`` returns the landscape to draw (None while the first one computes) and
    starts the grid or race the settings ask for; ``on_done()`` is called on the GUI thread
    whenever a result arrives (the panel then refreshes).
    """

    def __init__(self, controls: NetworkControls, on_done: Callable[[], None],
                 on_error: Callable[[str], None]) -> None:
        self.controls = controls
        self.worker = LandscapeWorker()
        self.worker.progressed.connect(self._on_progress)
        self.worker.finished.connect(self._on_finished)
        self.worker.failed.connect(self._on_failed)
        self._on_done, self._on_error = on_done, on_error
        self._state: LossSurface | None = None
        self._refused: set = set()  # keys cancelled or failed: computed again only on request
        self._painted = 0.0
        self.shown: Landscape | None = None
        controls.cancel_button.clicked.connect(self.cancel)
        controls.recompute_button.clicked.connect(self.recompute)

    # -- asking --------------------------------------------------------------------------
    def landscape(self, state: LossSurface) -> Landscape | None:
        """The landscape for the current settings if computed, else the last one shown (or
        None) while the wanted one computes in the worker."""
        self._state = state
        key = state.network_key()
        land = state.landscapes.get(key)
        if land is None:
            if self.worker.tag != ("grid", key) and key not in self._refused:
                self._start_grid(state, key)
            return self.shown
        self.shown = land
        race = state.landscapes.race
        wanted = race_key(land, state.network_balls())
        if race is None or race.key != wanted:
            self._want_race(state, land, wanted)
        elif not self.worker.busy():
            self._show_done(state, land)
        return land

    def _want_race(self, state: LossSurface, land: Landscape, wanted: tuple) -> None:
        """Show the balls' race on ``land``: from the cache, or asked of the worker."""
        known = state.landscapes.find_race(wanted)
        if known is not None:
            state.landscapes.set_race(known)
            if not self.worker.busy():
                self._show_done(state, land)
        elif self.worker.tag != ("race", wanted) and wanted not in self._refused:
            balls = state.network_balls()
            self.worker.submit(lambda _p, cancelled: compute_race(land, balls, cancelled),
                               ("race", wanted))
            self.controls.show_busy("Training a copy of the network per ball…", None)

    def race(self, state: LossSurface, land: Landscape) -> NetRace | None:
        """The race on ``land`` if it has been computed (it may be the previous settings')."""
        race = state.landscapes.race
        return race if race is not None and race.key[0] == land.key else None

    def _start_grid(self, state: LossSurface, key: tuple) -> None:
        snapshot = state.landscapes.snapshot(state.playground)
        spec = state.network_spec()
        self.worker.submit(lambda progress, cancelled: compute_landscape(
            snapshot, spec, progress, cancelled), ("grid", key))
        self.controls.show_busy(f"Computing the loss at {spec.n}×{spec.n} = {spec.n ** 2:,} "
                                "points of weight space…", 0.0)

    def _show_done(self, state: LossSurface, land: Landscape) -> None:
        stale = state.landscapes.stale(state.playground)
        text = (f"{land.spec.n}×{land.spec.n} grid of real forward passes. "
                + ("The Playground network has trained since: Recompute follows it."
                   if stale else ""))
        self.controls.show_idle(text, stale)

    # -- the worker's answers (GUI thread) -----------------------------------------------
    def _on_progress(self, job: int, fraction: float) -> None:
        # At most a few repaints a second: beside a software-rendered 3D view every repaint of
        # the window costs CPU the worker needs (measured: a 51 × 51 grid took twice as long
        # with the bar updated 17 times).
        now = time.monotonic()
        if job == self.worker.job and self.worker.busy() and now - self._painted > PAINT_EVERY_S:
            self._painted = now
            self.controls.show_busy(self.controls.status.text(), fraction)

    def _on_finished(self, job: int, result: Any) -> None:
        if job != self.worker.job or self._state is None:
            return
        self.worker.tag = None
        if isinstance(result, Landscape):
            self._state.landscapes.put(result)
        else:
            self._state.landscapes.set_race(result)
        self._on_done()

    def _on_failed(self, job: int, message: str) -> None:
        if job != self.worker.job:
            return
        key = self.worker.tag[1] if self.worker.tag else None
        self.worker.tag = None
        if key is not None:
            self._refused.add(key)
        if message:
            self._on_error(f"The network loss could not be computed: {message}")
        self.controls.show_idle("Cancelled." if not message else message, True)

    # -- buttons -------------------------------------------------------------------------
    def cancel(self) -> None:
        """Stop the running computation; it is not started again until Recompute."""
        tag = self.worker.tag
        if tag is not None:
            self._refused.add(tag[1])
        self.worker.cancel()
        self.controls.show_idle("Cancelled.", True)

    def recompute(self) -> None:
        """Follow the network's current weights and compute again what was cancelled."""
        self._refused.clear()
        if self._state is not None:
            self._state.landscapes.repin(self._state.playground)
        self._on_done()

    def shutdown(self) -> None:
        self.worker.shutdown()


class InterpolationPlot(pg.PlotWidget):
    """L((1 − t)·θ₀ + t·θ₁) for t from −0.5 to 1.5: one curve per pair of weight vectors, with
    the two ends (t = 0 and t = 1) marked."""

    COLOURS = ("#E8231E", "#B05CE0")

    def __init__(self) -> None:
        super().__init__()
        make_plot("t in (1 − t)·θ₀ + t·θ₁", "loss L", grid=0.25, si_prefix=False,
                  name="1-D interpolation of the network loss between two weight vectors",
                  plot=self)
        self.setObjectName("surface-interpolation")
        self.legend = self.getPlotItem().addLegend(offset=(-8, 8), labelTextSize="9pt")
        self.curves: list[pg.PlotDataItem] = []
        self.ends = pg.ScatterPlotItem(size=8, pen=pg.mkPen("#202020"))
        self.ends.setZValue(2)
        self.addItem(self.ends)
        for t in (0.0, 1.0):
            self.addItem(pg.InfiniteLine(t, angle=90, pen=pg.mkPen((128, 128, 128, 120),
                                                                   style=Qt.PenStyle.DashLine)))

    def set_curves(self, curves: list[tuple[str, np.ndarray, np.ndarray]]) -> None:
        for curve in self.curves:
            self.legend.removeItem(curve)
            self.removeItem(curve)
        self.curves = []
        ex, ey, brushes = [], [], []
        for (label, ts, losses), colour in zip(curves, self.COLOURS, strict=False):
            shown = np.where(np.isfinite(losses), losses, np.nan)
            curve = self.plot(ts, shown, pen=pg.mkPen(colour, width=2.2), name=label,
                              connect="finite")
            self.curves.append(curve)
            for t in (0.0, 1.0):
                i = int(np.argmin(np.abs(ts - t)))
                ex.append(ts[i])
                ey.append(shown[i])
                brushes.append(pg.mkBrush(colour))
        self.ends.setData(x=ex, y=ey, brush=brushes)

    def apply_theme(self, theme: Theme) -> None:
        style_plot(self, theme)
        self.legend.setLabelTextColor(theme.plot_fg)
