"""The graph editor's second page: the traced graph (``gradviz.show(loss)``), read-only.

A small switch above the canvas ("Hand-built graph | Your PyTorch graph: <name>") appears only
while the model holds a non-empty ``traced`` sub-model. On the traced page the editing chrome
(toolbar, typed line, palette, properties and code) is hidden, and the editor's player row
(Restart, Step back, Play, Step, speed; PageUp/PageDown) plays the traced graph's forward and
backward passes instead. The page itself (:mod:`gradviz.ui.panels.traced`) is imported and
built when a traced graph first appears, so a plain app never pays for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QPushButton, QStackedWidget, QWidget

from gradviz.ui.connections import disconnect_all

if TYPE_CHECKING:
    from gradviz.ui.panels.graph_editor.panel import QtGraphEditorPanel
    from gradviz.ui.panels.traced.panel import QtTracedPage

EDITOR, TRACED = "editor", "traced"
TITLE = "Your PyTorch graph"
#: The explainer header while the traced page is shown.
EXPLAINER = ("The autograd graph of your own PyTorch code, as PyTorch recorded it: each box is "
             "one backward function (MulBackward0, …) with the shape of the tensor it produced; "
             "edges point the way the gradient flows back.")
TRY_THIS = ("press Play: the forward pass computes each box left to right, then the gradient "
            "flows back to your parameters. Click a grey module box to open it, or drag the "
            "module depth slider.")


class TracedSwitch:
    """Which page the graph editor shows, and the traced page once built.

    Parameters
    ----------
    panel
        The graph editor; its ``canvas_stack`` holds the editor's splitter as page 0.
    """

    def __init__(self, panel: QtGraphEditorPanel) -> None:
        self.panel = panel
        self.page: QtTracedPage | None = None
        self.name = ""
        self.showing = EDITOR
        self._graph_conns: list = []
        self._undo_conns: list = []
        self._graph_changed = False
        self.row = QWidget()
        self.row.setObjectName("graph-switch")
        layout = QHBoxLayout(self.row)
        layout.setContentsMargins(0, 0, 0, 0)
        self.editor_button = self._toggle("Hand-built graph", "graph-switch-editor", EDITOR)
        self.traced_button = self._toggle(TITLE, "graph-switch-traced", TRACED)
        self.group = QButtonGroup(self.row)
        for b in (self.editor_button, self.traced_button):
            self.group.addButton(b)
            layout.addWidget(b)
        layout.addStretch(1)
        self.editor_button.setChecked(True)
        self.row.hide()
        panel.body_layout.insertWidget(0, self.row)
        panel.listen(panel.model.registered, self._on_registered)
        self._watch(panel.model.get("traced"))

    def _toggle(self, text: str, name: str, page: str) -> QPushButton:
        b = QPushButton(text)
        b.setObjectName(name)
        b.setCheckable(True)
        b.clicked.connect(lambda: self.show_page(page))
        return b

    # -- the sub-model ----------------------------------------------------------------------
    def has_graph(self) -> bool:
        graph = self.panel.model.get("traced")
        return graph is not None and len(graph) > 0

    def _on_registered(self, key: str) -> None:
        if key == "traced":
            self._watch(self.panel.model.get("traced"))

    def _watch(self, graph: Any) -> None:
        disconnect_all(self._graph_conns)
        if graph is not None:
            graph.events.rebuilt.connect(self._update)
            self._graph_conns.append((graph.events.rebuilt, self._update))
        self._update()

    def _update(self, *_: Any) -> None:
        has = self.has_graph()
        self.row.setVisible(has)
        self.traced_button.setText(self.title())
        if not has and self.showing == TRACED and not self._busy():
            self.show_page(EDITOR)

    def title(self) -> str:
        """"Your PyTorch graph: <name>", as the switch shows it."""
        return f"{TITLE}: {self.name}" if self.name else TITLE

    def _busy(self) -> bool:
        return self.page is not None and self.page.controls.busy_row.isVisibleTo(self.page)

    # -- pages ------------------------------------------------------------------------------
    def ensure_page(self) -> QtTracedPage:
        """The traced page, built (and added to the canvas stack) on first use."""
        if self.page is None:
            from gradviz.ui.panels.traced.panel import QtTracedPage

            panel = self.panel
            self.page = QtTracedPage(panel.ctx, on_copied=lambda: self.show_page(EDITOR))
            self.page.player.playing_changed.connect(self._on_playing_changed)
            self.page.player.set_speed(panel.player.speed)
            panel.canvas_stack.addWidget(self.page)
        return self.page

    def _on_playing_changed(self, playing: bool) -> None:
        if self.showing == TRACED:
            self.panel._on_playing_changed(playing)

    def show_page(self, page: str, name: str | None = None, force: bool = False) -> None:
        """Show the editor's own graph (``"editor"``) or the traced one (``"traced"``, built
        if needed; ``name`` relabels it). Without a traced graph the editor's page stays,
        unless ``force`` (the viewer shows its tracing progress there)."""
        if name is not None:
            self.name = name
            self._update()
        traced = page == TRACED and (force or self.has_graph())
        panel = self.panel
        panel.player.pause()
        if self.page is not None:
            self.page.player.pause()
        if traced:
            panel.canvas_stack.setCurrentWidget(self.ensure_page())
            self._watch_undo()
        else:
            panel.canvas_stack.setCurrentIndex(0)
        self.showing = TRACED if traced else EDITOR
        (self.traced_button if traced else self.editor_button).setChecked(True)
        self.apply_chrome()

    # -- undo/redo of the hand-built graph while the traced page is shown -------------------
    def _watch_undo(self) -> None:
        """Undo, redo and pushes are window-wide: one that edits the hidden hand-built graph
        (an undo, the playground's "open this neuron", …) brings its page back, so the change
        is never made out of sight. A stack step runs its command, which makes the graph emit
        ``changed``, and then emits ``indexChanged`` in the same call: a flag set by the first
        and cleared on the next turn of the event loop links the two (a scene load changes the
        graph too, but through no stack step)."""
        stack = getattr(self.panel.window(), "undo_stack", None)
        if stack is None or self._undo_conns:
            return
        changed = self.panel.graph.events.changed
        changed.connect(self._on_graph_changed)
        stack.indexChanged.connect(self._on_undo_index)
        self._undo_conns += [(stack.indexChanged, self._on_undo_index),
                             (changed, self._on_graph_changed)]

    def _on_graph_changed(self) -> None:
        if not self._graph_changed:
            self._graph_changed = True
            QTimer.singleShot(0, self._forget_graph_change)

    def _forget_graph_change(self) -> None:
        self._graph_changed = False

    def _on_undo_index(self, _index: int) -> None:
        if self.showing == TRACED and self._graph_changed:
            self.show_page(EDITOR)

    def apply_chrome(self) -> None:
        """Editing chrome only on the editor's page; the traced page has its own tools."""
        editing = self.showing == EDITOR
        p = self.panel
        for w in (p.toolbar_section, p.banner, p.typed_line, p.caption):
            w.setVisible(editing)
        p.header.explainer.setText(p.explainer if editing else EXPLAINER)
        p.header.try_this.setText(f"<b>Try this:</b> {p.try_this if editing else TRY_THIS}")
        if "toolbar" in p.presenter_sections.folded:  # presenting folded it: it stays folded
            p.toolbar_section.setVisible(False)
        if self.page is not None:  # the scale the hand-built canvas was given, if presenting
            scale = p.view.zoomer.presenting_scale
            self.page.set_presenting(scale is not None, scale or 1.0)
        p._on_playing_changed(self.active_player().playing)

    def active_player(self):
        """The player the row's buttons drive: the traced page's while it is shown."""
        return self.page.player if self.showing == TRACED and self.page else self.panel.player

    def teardown(self) -> None:
        disconnect_all(self._graph_conns)
        disconnect_all(self._undo_conns)
        if self.page is not None:
            self.page.teardown()


def canvas_stack(editor_page: QWidget) -> QStackedWidget:
    """The canvas area: the editor's palette | canvas | properties as page 0."""
    stack = QStackedWidget()
    stack.setObjectName("graph-pages")
    stack.addWidget(editor_page)
    return stack
