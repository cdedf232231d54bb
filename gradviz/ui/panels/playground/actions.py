"""What the Playground's buttons and clicks do to the model: hand-added points (each edit one
undoable command), CSV loading, rewinding with a ghost kept, the neuron-graph link and the code
export. File dialogs go through :class:`FileDialogs` so tests and scripts can answer them."""

from __future__ import annotations

import itertools
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from gradviz.core.commands import SetFieldCommand
from gradviz.core.model import StateError
from gradviz.core.playground_code import export_code
from gradviz.core.playground_data import MAX_CSV_BYTES, parse_csv
from gradviz.core.playground_ghosts import run_label
from gradviz.core.playground_view import click_label
from gradviz.graph.neuron_graph import ReplaceGraphCommand, neuron_graph
from gradviz.ui.panels.playground.plane_view import ERASE_RADIUS


class FileDialogs:
    """The two file questions the panel asks, as Qt dialogs."""

    def __init__(self, parent: QWidget) -> None:
        self.parent = parent

    def open_csv(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.parent, "Load points", str(Path.home()),
                                              "CSV files (*.csv);;All files (*)")
        return path or None

    def save_code(self, suggested: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self.parent, "Export as PyTorch code",
                                              str(Path.home() / suggested),
                                              "Python files (*.py)")
        return path or None


_strokes = itertools.count(1)


class PlaygroundActions:
    """Mixed into the panel: ``self.pg`` is the model, ``self.ctx`` the panel context."""

    # -- points -----------------------------------------------------------------------------
    def add_point(self, x: float, y: float, button: str) -> bool:
        """A click on the input plane: one point whose label the mouse button chooses."""
        label = click_label(self.pg.task, button)
        if label is None:
            return False
        try:
            points = self.pg.with_point(x, y, label)
        except StateError as exc:
            self.ctx.status(f"Point not added: {exc}")
            return False
        return self.ctx.push(SetFieldCommand(self.pg, "points", points, merge=False,
                                             label=f"Add point ({x:.2f}, {y:.2f})"))

    def erase_at(self, x: float, y: float, first: bool) -> None:
        """One sample of a Shift-drag: the samples of one stroke merge into one undo step."""
        if first:
            self._stroke = next(_strokes)
        remaining = self.pg.without_points_near(x, y, ERASE_RADIUS)
        if remaining == self.pg.points:
            return
        command = SetFieldCommand(self.pg, "points", remaining, label="Erase points")
        command.merge_key = (id(self.pg), "points", "erase", getattr(self, "_stroke", 0))
        self.ctx.push(command)

    def clear_points(self) -> None:
        if self.pg.points:
            self.ctx.push(SetFieldCommand(self.pg, "points", (), merge=False,
                                          label="Clear added points"))

    def load_csv(self) -> None:
        """Ask for a CSV file; a bad file is refused whole with its line named."""
        path = self.dialogs.open_csv()
        if not path:
            return
        try:
            if Path(path).stat().st_size > MAX_CSV_BYTES:
                raise StateError("the file is too large to be a list of points")
            points = parse_csv(Path(path).read_text(encoding="utf-8"), self.pg.task)
        except (OSError, UnicodeDecodeError, StateError) as exc:
            self.show_message(f"{Path(path).name} was not loaded: {exc}")
            return
        self.ctx.push(SetFieldCommand(self.pg, "points", points, merge=False,
                                      label=f"Load {len(points)} points"))
        self.show_message(f"Loaded {len(points)} points from {Path(path).name}.")

    # -- runs -------------------------------------------------------------------------------
    def rewind(self) -> None:
        """Back to step 0 with the same initial weights; the run so far becomes a ghost."""
        self.trainer.stop()
        self.stepper.forget()
        if self.pg.steps > 0:
            self.ghosts.keep(run_label(self.pg.start_settings | self.pg.settings(),
                                       self.pg.steps),
                             self.pg.train_curve, self.pg.test_curve)
        self.pg.reset()

    def export(self) -> None:
        path = self.dialogs.save_code("playground_run.py")
        if not path:
            return
        try:
            Path(path).write_text(export_code(self.pg), encoding="utf-8")
        except (OSError, ValueError) as exc:
            self.show_message(f"Could not export: {exc}")
            return
        self.show_message(f"Wrote {Path(path).name}: run it with python to get the same loss.")

    def open_neuron_graph(self) -> bool:
        """Replace the Graph editor's graph with the selected neuron on the chosen point (one
        undo step) and show the editor."""
        if self.selected is None or self.selected[0] == 0 or "graph" not in self.model:
            return False
        layer, j = self.selected[0] - 1, self.selected[1]
        x_train, y_train = self.pg.data()[:2]
        i = min(self.links_section.point_spin.value(), len(x_train) - 1)
        try:
            graph = neuron_graph(self.pg.network, self.pg.task, x_train[i], float(y_train[i]),
                                 layer, j)
        except Exception as exc:  # the importer refused, or torch failed: say so
            self.show_message(f"Could not build the neuron's graph: {exc}")
            return False
        if not self.ctx.push(ReplaceGraphCommand(self.model["graph"], graph,
                                                 f"Open neuron {j} of layer {layer + 1}")):
            return False
        self.ctx.show_panel("graph")
        return True
