"""The Playground panel: a small MLP trained live on 2-D data, with every weight, neuron output
and loss on screen, one iteration walked phase by phase, runs replayed and compared.

Everything shown comes from :class:`~gradviz.core.playground.PlaygroundModel` (real torch); the
sections only draw. Training runs in timer slices (:mod:`.trainer`) so the window never stalls.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QScrollArea, QTabWidget, QWidget

from gradviz.core.commands import SetFieldCommand
from gradviz.core.numbers import fmt
from gradviz.core.playground import PlaygroundModel
from gradviz.core.playground_ghosts import PlaygroundGhosts
from gradviz.core.playground_heatmaps import decision_grid, grid_points, neuron_heatmaps
from gradviz.core.playground_view import TILE_PX as TILE_GRID
from gradviz.core.playground_view import layer_sizes, weight_name
from gradviz.core.surfaces import one_thread
from gradviz.ui.panels.base import QtPanel
from gradviz.ui.panels.playground.actions import FileDialogs, PlaygroundActions
from gradviz.ui.panels.playground.controls import QtDataSection, QtSettingsSection, parse_hidden
from gradviz.ui.panels.playground.links import QtLinksSection
from gradviz.ui.panels.playground.loss_view import QtLossView
from gradviz.ui.panels.playground.network_view import QtNetworkView
from gradviz.ui.panels.playground.plane_view import QtPlaneView
from gradviz.ui.panels.playground.stepping import QtBackpropSection, QtSteppingSection
from gradviz.ui.panels.playground.trainer import QtTrainer
from gradviz.ui.panels.playground.walk import WalkStepper
from gradviz.ui.registry import PanelContext
from gradviz.ui.theme import Theme
from gradviz.ui.widgets.panel_section import QtSection, section_page, wrapped_label

_BOUND = (("dataset", "data_section", "dataset_combo"), ("noise", "data_section", "noise_spin"),
          ("train_fraction", "data_section", "fraction_spin"),
          ("activation", "settings_section", "activation_combo"),
          ("optimizer", "settings_section", "optimizer_combo"),
          ("lr", "settings_section", "lr_spin"), ("momentum", "settings_section", "momentum_spin"),
          ("batch_size", "settings_section", "batch_spin"),
          ("regularization", "settings_section", "reg_combo"),
          ("reg_rate", "settings_section", "reg_spin"), ("seed", "settings_section", "seed_spin"))


def _scrolling(page: QWidget) -> QScrollArea:
    """A tab page that scrolls rather than widening the panel: at 1280 × 720 presenting, the
    loss curves keep their share of the row."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(page)
    return area


class QtPlaygroundPanel(PlaygroundActions, QtPanel):
    """Train a small network on 2-D points and watch every part of it learn."""

    explainer = ("A small network learns to separate 2-D points. Each tile is one neuron's "
                 "output over the plane; edges are weights (colour = sign, width = size). "
                 "Every number is read from the real torch model while it trains.")
    try_this = ("press Play on the circle, then switch to spiral and add a hidden layer; turn "
                "on Backprop mode and Step through one update, clicking a weight.")

    def __init__(self, ctx: PanelContext) -> None:
        super().__init__(ctx)
        self.pg: PlaygroundModel = self.model[PlaygroundModel.key]
        self.ghosts: PlaygroundGhosts = self.model[PlaygroundGhosts.key]
        self.dialogs = FileDialogs(self)
        self.stepper = WalkStepper(self.pg)
        self.selected: tuple[int, int] | None = None
        self._theme = ctx.theme()
        self._staged: list = []
        self.trainer = QtTrainer(self.pg, self.refresh_staged, self._on_play_stopped, self)
        self._redraw = QTimer(self)
        self._redraw.setSingleShot(True)
        self._redraw.timeout.connect(self.refresh_views)
        self._build_sections()
        self._connect()
        self.apply_theme(self._theme)
        self._on_reset()

    # ------------------------------------------------------------------ building
    def _build_sections(self) -> None:
        self.stepping_section = QtSteppingSection()
        self.network_view = QtNetworkView()
        self.plane_view = QtPlaneView()
        self.loss_view = QtLossView()
        self.data_section = QtDataSection()
        self.settings_section = QtSettingsSection()
        self.backprop_section = QtBackpropSection()
        self.links_section = QtLinksSection()
        self.tabs = QTabWidget()
        self.tabs.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for title, section in (("Data", self.data_section),
                               ("Network", self.settings_section),
                               ("Backprop", self.backprop_section),
                               ("Links", self.links_section)):
            self.tabs.addTab(_scrolling(section_page(section, grow=section)), title)
        # The editing chrome as one section: presenting folds it whole (its tabs stay together).
        self.controls_section = QtSection("controls")
        self.controls_section.box.addWidget(self.tabs)
        # The three live views together are the visualization a presenter layout keeps.
        self.views_section = QtSection("views")
        top, lower = QHBoxLayout(), QHBoxLayout()
        top.addWidget(self.network_view, 3)
        top.addWidget(self.plane_view, 2)
        lower.addWidget(self.loss_view, 3)
        lower.addWidget(self.controls_section, 2)
        # The readout belongs to the pictures (step and losses), not to the buttons.
        self.status_label = wrapped_label()
        self.views_section.box.addWidget(self.status_label)
        self.views_section.box.addLayout(top, 3)
        self.views_section.box.addLayout(lower, 2)
        self.body_layout.addWidget(self.stepping_section)
        self.body_layout.addWidget(self.views_section, 1)

    def _connect(self) -> None:
        for field, section, widget in _BOUND:
            self.bind(getattr(getattr(self, section), widget), self.pg, field)
        s, d, links = self.stepping_section, self.data_section, self.links_section
        s.play_button.clicked.connect(self._on_play_clicked)
        s.step_button.clicked.connect(lambda: self.step(1))
        s.rewind_button.clicked.connect(self.rewind)
        s.backprop_check.toggled.connect(self._on_backprop_toggled)
        self.settings_section.hidden_edit.editingFinished.connect(self._on_hidden_edited)
        d.load_button.clicked.connect(self.load_csv)
        d.clear_button.clicked.connect(self.clear_points)
        links.graph_button.clicked.connect(self.open_neuron_graph)
        links.export_button.clicked.connect(self.export)
        links.clear_ghosts_button.clicked.connect(self.ghosts.clear)
        box = self.plane_view.box_item
        box.clicked.connect(self.add_point)
        box.erasing.connect(self.erase_at)
        self.network_view.weight_clicked.connect(self._on_weight_clicked)
        self.network_view.neuron_clicked.connect(self._on_neuron_clicked)
        e = self.pg.events
        self.listen(e.was_reset, self._on_reset, when_shown=True)
        self.listen(e.stepped, self._on_stepped)
        self.listen(e.points, self._on_points)
        self.listen(e.hidden, self._on_hidden)
        self.listen(self.ghosts.events.changed, self.loss_view.show_ghosts)

    # ------------------------------------------------------------------ model → view
    def _on_reset(self, *_) -> None:
        """New data or a new network: lay the picture out again and redraw everything."""
        self.stepper.forget()
        self.settings_section.show_hidden(self.pg.hidden)
        self.data_section.show_points(len(self.pg.points), self.pg.task)
        self.network_view.set_sizes(layer_sizes(self.pg.network))
        self.plane_view.show_points(self.pg.data(), self.pg.task)
        self.loss_view.show_ghosts(self.ghosts.ghosts)
        self.selected = None
        self._show_selection()
        self._show_walk()
        self._laid_out = True
        self.refresh_views()

    def _on_points(self, *_) -> None:
        self.data_section.show_points(len(self.pg.points), self.pg.task)

    def _on_hidden(self, hidden) -> None:
        self.settings_section.show_hidden(hidden)

    def _on_stepped(self, *_) -> None:
        if not self.trainer.playing and not self._redraw.isActive():
            self._redraw.start(0)

    def refresh_views(self) -> None:
        """Redraw the network, the boundary, the curves and the status from the model."""
        with one_thread():
            for part in self._parts():
                part()

    def refresh_staged(self) -> None:
        """The same redraw while training, one view per event-loop turn: each turn (and its
        paint) stays short, and training slices run in between."""
        self._staged = list(self._parts())
        self._next_part()

    def _next_part(self) -> None:
        if self._staged:
            with one_thread():  # small grids: the thread pool costs more than it saves
                self._staged.pop(0)()
            if self._staged:
                QTimer.singleShot(0, self._next_part)

    def _parts(self) -> tuple:
        return (self._draw_network, self._draw_plane, self._draw_losses)

    def _draw_network(self) -> None:
        try:
            net = self.pg.network
            maps = neuron_heatmaps(net, TILE_GRID).layers
            points, _ = grid_points(TILE_GRID)
            inputs = points.T.reshape(2, TILE_GRID, TILE_GRID).numpy()
            self.network_view.show_network(net, [inputs, *maps])
        except Exception as exc:  # never let a slot raise into the event loop
            self.ctx.status(f"Playground could not redraw: {exc}")

    def _draw_plane(self) -> None:
        try:
            self.plane_view.show_prediction(decision_grid(self.pg.network, self.pg.task))
        except Exception as exc:
            self.ctx.status(f"Playground could not redraw: {exc}")

    def _draw_losses(self) -> None:
        try:
            self.loss_view.show_run(self.pg.curve_steps, self.pg.train_curve,
                                    self.pg.test_curve)
            self.status_label.setText(self._status_text())
        except Exception as exc:
            self.ctx.status(f"Playground could not redraw: {exc}")

    def _status_text(self) -> str:
        p = self.pg
        if self.trainer.playing and p.train_curve:
            # While playing, the curves' latest point: no extra pass over the data per redraw.
            text = (f"step {p.steps} · train loss {fmt(p.train_curve[-1])} · test loss "
                    f"{fmt(p.test_curve[-1])} (at step {p.curve_steps[-1]}) · "
                    f"{self.trainer.steps_per_second:,.0f} updates/s, "
                    f"{self.trainer.redraws_per_second:.0f} redraws/s")
        else:
            text = (f"step {p.steps} · train loss {fmt(p.train_loss)} · test loss "
                    f"{fmt(p.test_loss)}")
        return text + (f" — {p.diverged}" if p.diverged else "")

    def _show_walk(self) -> None:
        if self.stepping_section.backprop_check.isChecked():
            self.backprop_section.show_text(self.stepper.describe())
        else:
            self.backprop_section.show_text("Backprop mode is off: Step makes whole updates.")

    def _show_selection(self) -> None:
        n_train = len(self.pg.data()[0])
        if self.selected is None:
            self.network_view.select(None, None)
            self.links_section.show_neuron("Click a neuron's picture to select it.", n_train,
                                           False)
            return
        layer, j = self.selected
        self.network_view.select(layer, j)
        what = "an input" if layer == 0 else f"neuron {j} of layer {layer}"
        self.links_section.show_neuron(f"Selected: {what}.", n_train, layer > 0)

    def show_message(self, text: str) -> None:
        self.data_section.points_label.setText(text)
        self.ctx.status(text)

    # ------------------------------------------------------------------ user actions
    def _on_play_clicked(self, checked: bool) -> None:
        if checked:
            self.stepper.finish()
            self.trainer.start()
        else:
            self.trainer.stop()
        self.stepping_section.show_playing(self.trainer.playing)

    def _on_play_stopped(self, message: str) -> None:
        self.stepping_section.show_playing(False)
        self._staged = []
        self.refresh_views()
        if message:
            self.show_message(message)

    def _on_backprop_toggled(self, on: bool) -> None:
        if not on:
            self.stepper.finish()
        else:
            self.trainer.stop()
        self._show_walk()

    def _on_hidden_edited(self) -> None:
        try:
            hidden = tuple(parse_hidden(self.settings_section.hidden_edit.text()))
            if hidden != self.pg.hidden:
                self.pg.setting("hidden").validate("hidden layers", hidden)
                self.ctx.push(SetFieldCommand(self.pg, "hidden", hidden, merge=False,
                                              label=f"Hidden layers {list(hidden)}"))
        except ValueError as exc:
            self.show_message(str(exc))
        self.settings_section.show_hidden(self.pg.hidden)

    def _on_weight_clicked(self, layer: int, j: int, k: int) -> None:
        edge = self._edge_index(layer, j, k)
        self.network_view.select(*(self.selected or (None, None)), edge=edge)
        if self.stepping_section.backprop_check.isChecked():
            text = self.stepper.weight_formula(layer, j, k)
        else:
            table = self.network_view.table
            text = (f"{weight_name(layer, j, k)} = {fmt(table.weights[edge])}, ∂L/∂w of the "
                    f"last batch = {fmt(table.grads[edge])}. Turn on Backprop mode for the "
                    "formula with the numbers plugged in.")
        self.backprop_section.show_text(self.backprop_section.phase_label.text(), text)

    def _edge_index(self, layer: int, j: int, k: int) -> int:
        index = self.network_view.table.index
        return int(np.nonzero((index[:, 0] == layer) & (index[:, 1] == j)
                              & (index[:, 2] == k))[0][0])

    def _on_neuron_clicked(self, layer: int, j: int) -> None:
        self.selected = (layer, j)
        self._show_selection()
        if layer > 0 and self.stepping_section.backprop_check.isChecked():
            self.backprop_section.show_text(self.stepper.describe(),
                                            self.stepper.weight_formula(layer - 1, j, None))

    # ------------------------------------------------------------------ protocol
    def can_step(self) -> bool:
        return True

    def step(self, direction: int) -> bool:
        """One update, or in backprop mode one phase of it (the Step button, PageDown)."""
        if direction <= 0:
            return False
        self.trainer.stop()
        try:
            with one_thread():
                if self.stepping_section.backprop_check.isChecked():
                    self.backprop_section.show_text(self.stepper.advance())
                    self.refresh_views()
                    return True
                self.stepper.finish()
                return self.pg.step(1) == 1
        except Exception as exc:  # a restarted run, a diverged one: say so
            self.show_message(f"Step failed: {exc}")
            return False

    def teardown(self) -> None:
        self.trainer.timer.stop()
        self._redraw.stop()
        self._staged = []
        super().teardown()

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        for view in (self.network_view, self.plane_view, self.loss_view):
            view.apply_theme(theme)
        if getattr(self, "_laid_out", False):  # not during construction
            self.plane_view.show_points(self.pg.data(), self.pg.task)
            self.refresh_views()
