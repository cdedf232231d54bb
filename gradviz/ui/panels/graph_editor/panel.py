"""The graph editor panel: palette, canvas, properties and code, examples, and the player."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gradviz.core.model import StateError
from gradviz.graph import CodeImportError, Graph, RunResult, available_examples, load_example
from gradviz.graph.commands import ReplaceGraph
from gradviz.ui.panels.base import QtPanel
from gradviz.ui.panels.graph_editor.animation import Player
from gradviz.ui.panels.graph_editor.code_pane import QtGraphCodePane, QtImportCodeDialog
from gradviz.ui.panels.graph_editor.display import Timeline, build_scene, frames_of
from gradviz.ui.panels.graph_editor.palette import QtPaletteList
from gradviz.ui.panels.graph_editor.player_row import build_player_row
from gradviz.ui.panels.graph_editor.properties import QtNodeProperties
from gradviz.ui.panels.graph_editor.style import canvas_style
from gradviz.ui.panels.graph_editor.traced_switch import EDITOR, TRACED, TracedSwitch, canvas_stack
from gradviz.ui.panels.graph_editor.typed_line import QtTypedLine
from gradviz.ui.panels.graph_editor.view import QtGraphView
from gradviz.ui.registry import PanelContext
from gradviz.ui.theme import Theme

log = logging.getLogger(__name__)

#: Graph JSON files larger than this are refused before they are read.
MAX_JSON_BYTES = 5_000_000
EXAMPLE_TITLES = {"chain": "Chain: y = (3x + 1)²", "two_paths": "Two paths: z = x·y + x²",
                  "mini_network": "Mini network: loss = (w·x + b − y)²"}


class QtGraphEditorPanel(QtPanel):
    """Build computational graphs by hand and watch PyTorch run them forward and backward."""

    explainer = ("Wire tensors and operations into a graph; PyTorch runs it for real after every "
                 "change. Play the forward pass to see the graph being built, then the backward "
                 "pass to see each gradient travel back and add up where paths meet.")
    try_this = ("open the “two paths” example and step with PageDown: x collects 3 along one path "
                "and 4 along the other, so x.grad = 7.")

    def __init__(self, ctx: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        graph = ctx.model.get("graph")
        self.graph: Graph = graph if isinstance(graph, Graph) else Graph()
        self.result: RunResult | None = None
        self.previous_grads: dict[int, float | None] | None = None
        self._pending_previous: dict[int, float | None] | None = None
        self._pending_start: int | None = None
        self._play_after_run = False
        self.zeroed = False
        self._flash = False
        self.error_text = ""
        self._theme = ctx.theme()

        self._run_timer = QTimer(self)
        self._run_timer.setSingleShot(True)
        self._run_timer.timeout.connect(self.rerun)
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.timeout.connect(self._fit)
        self._flash_timer = QTimer(self)
        self._flash_timer.setSingleShot(True)
        self._flash_timer.timeout.connect(self._end_flash)

        self._build_toolbar()
        self.banner = QLabel("")
        # A section: a high scale may drop it while presenting (the typed line shows its own
        # errors).
        self.banner.setObjectName("section-banner")
        self.banner.setWordWrap(True)
        self.body_layout.addWidget(self.banner)
        self.typed_line = QtTypedLine(self.graph, self._push_typed)
        self.body_layout.addWidget(self.typed_line)
        self._build_body()
        self._build_player()
        self._connect_signals()
        self.traced = TracedSwitch(self)
        self.rerun()
        self._fit_timer.start(0)

    # ================================================================== widgets
    def _build_body(self) -> None:
        """Palette list | canvas | properties and code, in a splitter."""
        self.palette_list = QtPaletteList()
        self.palette_list.setMaximumWidth(150)
        self.view = QtGraphView(self.graph, self.push, self.ctx.status, self.listen,
                                canvas_style(self._theme))
        self.properties = QtNodeProperties(self.graph, self.push)
        self.code = QtGraphCodePane()
        side = QTabWidget()
        side.addTab(self.properties, "Properties")
        side.addTab(self.code, "Code")
        self.side_tabs = side
        palette_box = QWidget()
        palette_box.setObjectName("section-palette")
        side.setObjectName("section-details")
        canvas = QWidget()
        canvas.setObjectName("section-canvas")
        cl = QVBoxLayout(canvas)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(self.view)
        pl = QVBoxLayout(palette_box)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.addWidget(QLabel("<b>Nodes</b> (drag onto the canvas)"))
        pl.addWidget(self.palette_list, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(palette_box)
        splitter.addWidget(canvas)
        splitter.addWidget(side)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([110, 900, 250])
        self.splitter = splitter
        self.canvas_stack = canvas_stack(splitter)
        self.body_layout.addWidget(self.canvas_stack, 1)

    def _connect_signals(self) -> None:
        self.player = Player(self)
        self.player.moved.connect(self._on_player_moved)
        self.player.pulse.connect(self._on_pulse)
        self.player.playing_changed.connect(self._on_playing_changed)
        self.palette_list.activated_kind.connect(self._add_from_list)
        self.palette_list.dropped.connect(self._drop_from_list)
        self.view.selection_changed.connect(self._refresh_properties)
        self.code.import_button.clicked.connect(self.import_code_dialog)
        self.code.export_json_button.clicked.connect(self.export_json_dialog)
        self.code.import_json_button.clicked.connect(self.import_json_dialog)
        ev = self.graph.events
        self.listen(ev.changed, self._on_changed)
        self.listen(ev.ran, self._on_ran)
        self.listen(ev.grads_zeroed, self._on_grads_zeroed)
        self.listen(ev.rebuilt, self._on_rebuilt)

    def _button(self, text: str, tip: str, slot, name: str) -> QPushButton:
        b = QPushButton(text)
        b.setToolTip(tip)
        b.setObjectName(name)
        b.clicked.connect(slot)
        return b

    def _build_toolbar(self) -> None:
        section = _section_row("toolbar")
        row = section.layout()
        self.examples = QComboBox()
        self.examples.setObjectName("graph-examples")
        self.examples.addItem("Examples…", None)
        for name in available_examples():
            self.examples.addItem(EXAMPLE_TITLES.get(name, name.replace("_", " ")), name)
        self.examples.activated.connect(self._on_example_chosen)
        row.addWidget(self.examples)
        self.again_button = self._button(
            "forward + backward again", "Run forward and backward without zeroing: .grad adds up",
            self.forward_backward_again, "graph-again")
        self.backward_button = self._button(
            "backward() again", "Call backward() on the same graph once more (real PyTorch)",
            self.backward_again, "graph-backward")
        self.zero_button = self._button("zero_grad()", "Set every leaf's .grad to None",
                                        self.zero_grad, "graph-zero")
        self.fit_button = self._button("Fit all (F)", "Show the whole graph", self._fit,
                                       "graph-fit")
        for b in (self.again_button, self.backward_button, self.zero_button, self.fit_button):
            row.addWidget(b)
        row.addStretch(1)
        self.toolbar_section = section
        self.body_layout.addWidget(section)

    def _build_player(self) -> None:
        self.body_layout.addWidget(build_player_row(self))

    def restart(self) -> None:
        page = self.traced.page if self.traced.showing == TRACED else None
        (page or self.player).restart()

    def toggle_play(self) -> None:
        page = self.traced.page if self.traced.showing == TRACED else None
        page.toggle_play() if page is not None else self.player.toggle()

    def set_speed(self, speed: float) -> None:
        for player in (self.player, self.traced.page and self.traced.page.player):
            if player:
                player.set_speed(speed)

    def show_page(self, page: str, name: str | None = None) -> None:
        """Show the hand-built graph (``"editor"``) or the traced one (``"traced"``)."""
        self.traced.show_page(page, name)

    def view_name(self) -> str:  # a scene recorded on the traced page reopens on it
        return TRACED if self.traced.showing == TRACED else self.panel_name

    def show_view(self, name: str) -> None:  # "graph" is the hand-built page
        self.show_page(TRACED if name == TRACED else EDITOR)

    # ================================================================== model → view
    def push(self, command: Any) -> bool:
        """A graph command through the window's undo stack (never raises into Qt)."""
        try:
            return bool(self.ctx.push(command, target=self.graph))
        except Exception as exc:  # without a window the command ran directly and raised
            self.ctx.status(f"{command.label}: {exc}")
            return False

    def _push_typed(self, command: Any) -> bool:
        """A typed line's command; what it added is framed with the rest."""
        ok = self.push(command)
        if ok:
            self._fit_timer.start(0)
        return ok

    def _on_changed(self) -> None:
        self.error_text = ""
        self._run_timer.start(0)

    def _on_rebuilt(self) -> None:
        self._fit_timer.start(0)  # once the new items are laid out

    def rerun(self) -> None:
        """Re-run the model after an edit (zero_grad, forward, backward): numbers stay live."""
        self._run_timer.stop()
        try:
            self.graph.run()
        except Exception as exc:  # a run never raises for a broken graph; be safe anyway
            log.exception("graph run failed")
            self.error_text = f"{type(exc).__name__}: {exc}"
            self._refresh()
        self.code.set_code(self._code_text())

    def _code_text(self) -> str:
        if len(self.graph) == 0:
            return "# The graph is empty: add nodes, or open an example."
        try:
            return self.graph.to_code()
        except Exception as exc:  # e.g. a graph with no output yet
            return f"# The code cannot be written yet: {exc}"

    def _on_ran(self, result: RunResult) -> None:
        self.result = result
        self.zeroed = False
        self.previous_grads = self._pending_previous
        self._pending_previous = None
        start, self._pending_start = self._pending_start, None
        self.player.load(frames_of(result), start)
        if self._play_after_run:
            self._play_after_run = False
            self.player.play() if start is None else self._play_from(start)

    def _play_from(self, start: int) -> None:
        self.player.pos = start
        self.player.playing = True
        self.player.playing_changed.emit(True)
        self.player._schedule(300)

    def _on_grads_zeroed(self) -> None:
        self.zeroed = True
        self._flash = True
        self.player.show_all()
        self._flash_timer.start(900)

    def _end_flash(self) -> None:
        self._flash = False
        self._refresh()

    def _on_player_moved(self, pos) -> None:
        frame = self.player.current()
        if frame is None or frame.phase != "backward":
            self.view.hide_pulse()
        self._refresh()

    def _on_pulse(self, t: float) -> None:
        frame = self.player.current()
        if frame is not None and frame.phase == "backward":
            self.view.show_pulse(frame.step.edge, t)

    def _on_playing_changed(self, playing: bool) -> None:
        self.play_button.setText("⏸ Pause" if playing else "▶ Play")

    def current_scene(self):
        timeline = Timeline(self.player.frames, self.player.pos)
        return build_scene(self.graph, self.result, timeline, self.previous_grads, self.zeroed)

    def _refresh(self) -> None:
        scene = self.current_scene()
        if not self._flash:
            for v in scene.nodes.values():
                v.flash = False
        for v in scene.nodes.values():
            v.lit = v.lit or v.flash
        self.view.apply_scene(scene)
        if self.presenting:
            self.view.follow_lit()
        self.caption.setText(scene.caption)
        self._show_banner()
        self._refresh_properties()

    def _show_banner(self) -> None:
        t = self._theme
        if self.error_text:
            self.banner.setStyleSheet(f"color: {t.error}; font-weight: bold;")
            self.banner.setText(self.error_text)
        elif len(self.graph) == 0:
            self.banner.setStyleSheet(f"color: {t.muted};")
            self.banner.setText("Empty graph: press Tab or right-click on the canvas to add a "
                                "node, drag one from the list, or pick an example.")
        elif self.result is not None and self.result.problems:
            self.banner.setStyleSheet(f"color: {t.warning if t.name == 'dark' else '#9A5B00'};")
            self.banner.setText("Not run to the end: " + "; ".join(self.result.problems))
        elif self.zeroed:
            self.banner.setStyleSheet(f"color: {t.text};")
            self.banner.setText("zero_grad(): every leaf's .grad is None again.")
        else:
            self.banner.setStyleSheet(f"color: {t.muted};")
            self.banner.setText("Ran with PyTorch: values forward, gradients backward. Edit any "
                                "value and everything runs again.")

    def _refresh_properties(self) -> None:
        ids = self.view.selected_ids()
        nid = ids[0] if len(ids) == 1 else None
        scene_views = self.view.mirror.scene_text.nodes
        self.properties.show_node(nid, scene_views.get(nid) if nid is not None else None,
                                  self.result)

    # ================================================================== actions
    def _current_leaf_grads(self) -> dict[int, float | None]:
        if self.result is None or self.zeroed:
            return {}
        return dict(self.result.leaf_grads)

    def forward_backward_again(self) -> None:
        """``run(zero_grad=False)``: forward and backward again, adding into ``.grad``."""
        self.error_text = ""
        self._pending_previous = self._current_leaf_grads()
        self._pending_start = -1
        self._play_after_run = True
        try:
            self.graph.run(zero_grad=False)
        except Exception as exc:
            self._pending_previous, self._play_after_run = None, False
            self.error_text = f"{type(exc).__name__}: {exc}"
            self._refresh()

    def backward_again(self) -> None:
        """``backward()`` on the last forward pass: PyTorch's own error when its graph is freed."""
        self.error_text = ""
        previous = self._current_leaf_grads()
        self._pending_previous = previous
        self._play_after_run = True
        try:
            first = self.player.first_backward()
            self._pending_start = -1 if first is None else first - 1
            self.graph.backward()
        except Exception as exc:  # PyTorch's RuntimeError, shown as PyTorch words it
            self._pending_previous, self._pending_start, self._play_after_run = None, None, False
            self.error_text = f"backward() raised {type(exc).__name__}: {exc}"
            self.ctx.status(f"backward() again: {type(exc).__name__}")
            self._refresh()

    def zero_grad(self) -> None:
        self.error_text = ""
        try:
            self.graph.zero_grad()
        except Exception as exc:
            self.error_text = f"{type(exc).__name__}: {exc}"
            self._refresh()

    def _fit(self) -> None:
        self.view.fit_all()

    def _add_from_list(self, kind: str) -> None:
        centre = self.view.mapToScene(self.view.viewport().rect().center())
        self.view.add_node(kind, QPointF(centre))

    def _drop_from_list(self, kind: str, global_pos) -> None:
        """A kind dragged from the side list and released: added where it was dropped, if that
        is on the canvas."""
        local = self.view.viewport().mapFromGlobal(global_pos)
        if self.view.viewport().rect().contains(local):
            self.view.add_node(kind, self.view.mapToScene(local))

    def _on_example_chosen(self, index: int) -> None:
        name = self.examples.itemData(index)
        self.examples.setCurrentIndex(0)
        if name:
            self.open_example(name)

    def open_example(self, name: str) -> bool:
        """Replace the graph by one of the chapter's examples (undoable)."""
        try:
            data = load_example(name).to_dict()
        except (OSError, ValueError) as exc:
            self.error_text = f"Example {name!r} could not be opened: {exc}"
            self._refresh()
            return False
        title = EXAMPLE_TITLES.get(name, name).split(":")[0]
        return self.push(ReplaceGraph(data, f"Open example {title}"))

    def import_code(self, source: str) -> tuple[int, str] | None:
        """Replace the graph by a pasted snippet (laid out automatically); on error return
        ``(line, message)`` and change nothing."""
        try:
            graph = Graph.from_code(source)
        except CodeImportError as exc:
            return exc.line, str(exc)
        except Exception as exc:  # never let a paste crash the app
            return 0, f"{type(exc).__name__}: {exc}"
        ok = self.push(ReplaceGraph(graph.to_dict(), "Import code"))
        return None if ok else (0, "the graph refused the imported code")

    def import_code_dialog(self) -> None:
        dialog = QtImportCodeDialog(self.import_code, self)
        dialog.exec()
        dialog.deleteLater()

    def export_json(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.graph.to_dict(), indent=1) + "\n", encoding="utf-8")

    def import_json(self, path: str | Path) -> str | None:
        """Load a graph JSON file (validated before anything changes); the error, or None."""
        p = Path(path)
        try:
            if p.stat().st_size > MAX_JSON_BYTES:
                return f"{p.name} is larger than {MAX_JSON_BYTES // 1_000_000} MB: not a graph file"
            data = json.loads(p.read_text(encoding="utf-8"))
            Graph.create_from_dict(data)  # validates everything first
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, StateError, ValueError) as exc:
            return f"{p.name}: {exc}"
        return None if self.push(ReplaceGraph(data, f"Import {p.name}")) else "refused"

    def export_json_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export graph", "graph.json",
                                              "Graph JSON (*.json)")
        if path:
            try:
                self.export_json(path)
                self.ctx.status(f"Saved {path}")
            except OSError as exc:
                self.ctx.status(f"Could not write {path}: {exc}")

    def import_json_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import graph", "", "Graph JSON (*.json)")
        if path:
            error = self.import_json(path)
            if error:
                self.error_text = error
                self._refresh()

    # ================================================================== protocols
    def can_step(self) -> bool:
        if self.traced.showing == TRACED:
            return self.traced.page.can_step()
        return self.player.can_step()

    def step(self, direction: int) -> bool:
        if self.traced.showing == TRACED:
            return self.traced.page.step(direction)
        return self.player.step(direction)

    def set_presenting(self, on: bool, scale: float = 1.0) -> None:
        """Presenter layout, and a canvas whose values and gradients the room can read."""
        super().set_presenting(on, scale)
        self.view.set_presenting(on, scale)
        self.traced.apply_chrome()

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.view.set_style(canvas_style(theme))
        if self.traced.page is not None:
            self.traced.page.apply_theme(theme)
        self._refresh()

    def teardown(self) -> None:
        self._run_timer.stop()
        self._fit_timer.stop()
        self._flash_timer.stop()
        self.player.stop()
        self.view.teardown()
        self.traced.teardown()
        super().teardown()


def _section_row(name: str) -> QWidget:
    """A row of controls in its own ``section-<name>`` widget (what a presenter layout shows or
    folds)."""
    section = QWidget()
    section.setObjectName(f"section-{name}")
    QHBoxLayout(section).setContentsMargins(0, 0, 0, 0)
    return section
