"""The traced page's backward side: the Run backward button (refused, with the model's reason,
when the saved tensors were freed) and "Copy as editable graph". A mixin of
:class:`~gradviz.ui.panels.traced.panel.QtTracedPage`: it uses the page's graph, folding,
drawing, canvas, controls and player."""

from __future__ import annotations

from typing import Any

from gradviz.graph.trace_node import TraceError
from gradviz.ui.panels.traced.editable import ReplaceEditorGraph, editable_problem, to_editable
from gradviz.ui.panels.traced.guard import guarded


class BackwardActions:
    """Backward pass and copy-as-editable for the traced page."""

    # -- backward ---------------------------------------------------------------------------
    def _update_buttons(self, *_: Any) -> None:
        c, graph = self.controls, self.graph
        has = graph is not None and len(graph) > 0
        problem = graph.backward_problem() if has else "there is no traced graph"
        c.backward.setEnabled(not problem)
        c.backward.setToolTip(f"Cannot run backward: {problem}" if problem else
                              "backward() from the traced tensor (gradient of ones), keeping "
                              "the graph, then watch the gradient flow back")
        copy_problem = editable_problem(graph) if has else "there is no traced graph"
        c.copy.setEnabled(not copy_problem)
        c.copy.setToolTip(f"Not possible: {copy_problem}" if copy_problem else
                          "Rebuild this graph in the graph editor, where you can change it")
        c.fit.setEnabled(has)
        c.search.setEnabled(has)

    @guarded
    def _on_run_backward(self) -> None:
        if self._run_backward():
            self.start_backward()

    def _run_backward(self) -> bool:
        try:
            self.graph.backward()
        except TraceError as exc:  # freed saved tensors, closed or reopened: say so, inline
            self.controls.show_error(f"Cannot run backward: {exc}")
            self._update_buttons()
            return False
        except RuntimeError as exc:  # torch's own refusal, in its own words
            self.controls.show_error(f"backward() failed: {exc}")
            return False
        self.controls.show_error("")
        return True

    @guarded
    def _on_grads(self, runs: int) -> None:
        if self.graph is None or self.drawing is None:
            return
        self.canvas.item.details.clear()
        self.detail_timer.start()
        self.ctx.status(f"Gradients captured (backward pass {runs})")
        k = self.canvas.item.selected
        node = self.folding.view().items[k].node if k >= 0 else -1
        if node >= 0:
            self._show_node(node)
        self._update_buttons()

    # -- copy into the editor ---------------------------------------------------------------
    @guarded
    def _on_copy(self) -> None:
        problem = editable_problem(self.graph) if self.graph is not None else "no graph"
        editor = self.model.get("graph")
        if problem or editor is None:
            self.controls.show_error(f"Cannot copy: {problem or 'there is no graph editor'}")
            return
        if self.ctx.push(ReplaceEditorGraph(editor, to_editable(self.graph).to_dict())):
            self.ctx.show_panel("graph")
            self.on_copied()
            self.ctx.status("Copied into the graph editor: edit it there (Undo puts the old "
                            "graph back)")
