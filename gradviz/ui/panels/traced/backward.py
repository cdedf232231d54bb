"""The traced panel's backward side: the Run backward button (refused, with the model's reason,
when the saved tensors were freed), the backward animation on the panel stepping protocol, and
"Copy as editable graph". A mixin of :class:`~gradviz.ui.panels.traced.panel.QtTracedPanel`:
it uses the panel's graph, folding, drawing, canvas and controls."""

from __future__ import annotations

from typing import Any

from gradviz.graph.trace_node import TraceError
from gradviz.ui.panels.traced.editable import ReplaceEditorGraph, editable_problem, to_editable
from gradviz.ui.panels.traced.guard import guarded
from gradviz.ui.panels.traced.stepping import BackwardSchedule, backward_steps


class BackwardActions:
    """Backward pass, backward animation and copy-as-editable for the traced panel."""

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
        for b in (c.back, c.forward, c.play):
            b.setEnabled(has)
        c.fit.setEnabled(has)
        c.search.setEnabled(has)

    @guarded
    def _on_run_backward(self) -> None:
        self._run_backward()

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

    def can_step(self) -> bool:
        return self.drawing is not None and len(self.drawing) > 0

    @guarded
    def step(self, direction: int) -> bool:
        if not self.can_step():
            return False
        if self.schedule is None:
            if direction < 0:
                return False
            if not self.graph.grad_runs and self.graph.can_backward() and not self._run_backward():
                return False
            d = self.drawing
            xs = (d.rects[:, 0] + d.rects[:, 2]) / 2
            self.schedule = BackwardSchedule(backward_steps(len(d), d.edge_items, xs), len(d))
        if not self.schedule.go(self.schedule.pos + direction):
            return False
        self._show_step()
        return True

    def _show_step(self) -> None:
        s, item = self.schedule, self.canvas.item
        item.reached, item.current = s.reached.copy(), set(s.current)
        item.update()
        names = [self.drawing.titles[k] for k in s.current[:3]]
        more = f" and {len(s.current) - 3} more" if len(s.current) > 3 else ""
        source = ("captured gradients" if self.graph.grad_runs
                  else "no gradients captured: this graph cannot run backward")
        text = (f"Backward step {s.pos + 1} of {len(s.steps)}: the gradient reaches "
                f"{', '.join(names)}{more} (pink: reached; {source})" if s.pos >= 0 else "")
        self.controls.step_label.setText(text)
        self.controls.step_label.setToolTip(text)
        if len(s.current) == 1 and self.folding.view().items[s.current[0]].node >= 0:
            self._show_node(self.folding.view().items[s.current[0]].node)

    @guarded
    def _on_play(self, on: bool) -> None:
        if on and self.can_step():
            if self.schedule is not None and self.schedule.done:
                self.schedule.go(-1)
            self.play_timer.start()
        else:
            self.play_timer.stop()
            self.controls.play.setChecked(False)

    def _play_tick(self) -> None:
        per_tick = 1 if self.schedule is None else max(1, len(self.schedule.steps) // 100)
        for _ in range(per_tick):
            if not self.step(+1):
                self._stop_animation()
                return

    def _stop_animation(self) -> None:
        self.play_timer.stop()
        self.controls.play.setChecked(False)

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
            self.ctx.status("Copied into the graph editor: edit it there (Undo puts the old "
                            "graph back)")
