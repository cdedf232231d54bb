"""The traced page's forward and backward animation, played by the graph editor's own
:class:`~gradviz.ui.panels.graph_editor.animation.Player` (the same buttons, keys and speeds as
a hand-built graph): the forward pass lights the boxes leaves → output, each showing its value
summary as it is computed; the backward pass then carries the gradient back.

A mixin of :class:`~gradviz.ui.panels.traced.panel.QtTracedPage`: it uses the page's graph,
folding, drawing, canvas and controls.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF

from gradviz.ui.panels.graph_editor.animation import Player
from gradviz.ui.panels.graph_editor.display import FORWARD
from gradviz.ui.panels.traced.drawing import fmt, stats_text
from gradviz.ui.panels.traced.guard import guarded
from gradviz.ui.panels.traced.stepping import TracedFrame, TracedSchedule

#: A whole play (both passes) takes about this long at speed 1, however many columns.
PLAY_MS = 24_000
#: At most this many boxes of one step get a callout with their number.
CALLOUTS = 6


class TracedPlayer(Player):
    """The editor's player, with frames short enough that a few hundred columns play in about
    ``PLAY_MS`` (a hand-built graph's frames stay as they are)."""

    def frame_ms(self, frame) -> int:
        share = round(PLAY_MS / max(1, len(self.frames)) / self.speed)
        return max(16, min(super().frame_ms(frame), share))


class TracedAnimation:
    """Stepping protocol, Play and the frame shown, for the traced page."""

    def _make_player(self) -> None:
        self.player = TracedPlayer(self)
        self.player.moved.connect(self._on_player_moved)

    def _drop_schedule(self) -> None:
        """A new drawing: the old frames no longer name its items."""
        self.schedule = None
        self.player.stop()
        # Quietly: the new drawing (set just after) starts with nothing lit.
        self.player.frames, self.player.pos = [], None

    def _ensure_schedule(self) -> TracedSchedule:
        if self.schedule is None:
            d = self.drawing
            xs = (d.rects[:, 0] + d.rects[:, 2]) / 2
            self.schedule = TracedSchedule(len(d), d.edge_items, xs)
            self.player.frames = list(self.schedule.frames)
            # Asked once: it walks every saved tensor (about 12 ms at 3,900 operations).
            self._backward_ok = self.graph.can_backward()
        return self.schedule

    def can_step(self) -> bool:
        return self.drawing is not None and len(self.drawing) > 0

    @guarded
    def step(self, direction: int) -> bool:
        """One frame on (+1) or back (-1); False at either end (the window moves on)."""
        if not self.can_step():
            return False
        self._ensure_schedule()
        p = self.player
        if direction > 0 and p.pos is not None and p.pos >= len(p.frames) - 1:
            return False
        return p.step(direction)

    def start_backward(self) -> None:
        """Show the finished forward pass, ready to step through the backward one."""
        if self.can_step():
            s = self._ensure_schedule()
            self.player.load(s.frames, len(s.forward) - 1)

    def toggle_play(self) -> None:
        if self.can_step():
            self._ensure_schedule()
            self.player.toggle()

    def restart(self) -> None:
        if self.can_step():
            self._ensure_schedule()
            self.player.restart()

    @guarded
    def _on_player_moved(self, pos) -> None:
        if self.drawing is None:
            return
        frame = self.player.current()
        graph = self.graph
        if frame is not None and frame.phase != FORWARD and not graph.grad_runs \
                and self._backward_ok:
            self._run_backward()  # the first backward frame: capture real gradients first
        self._show_frame(pos, frame)

    def _show_frame(self, pos, frame: TracedFrame | None) -> None:
        item, s = self.canvas.item, self.schedule
        forward = frame is not None and frame.phase == FORWARD
        if frame is None:  # -1: nothing computed yet; None: the finished run, as drawn
            item.pending = None if pos is None or s is None else np.ones(len(self.drawing), bool)
            item.reached, item.current = None, set()
        else:
            item.pending = ~s.computed(frame) if forward else None
            item.reached, item.current = s.reached(frame), set(s.items(frame))
        item.callouts = self._callouts(s.items(frame), forward) if frame is not None else {}
        self._set_detail_kind("value" if forward or pos == -1 else "grad")
        item.update()
        self._caption(frame)
        if frame is not None:
            self._follow(s.items(frame))
            one = s.items(frame)
            node = self.folding.view().items[one[0]].node if len(one) == 1 else -1
            if node >= 0:
                self._show_node(node)

    def _set_detail_kind(self, kind: str) -> None:
        """Values while the forward pass runs, gradients after it: each box's extra line."""
        if kind != self._detail_kind:
            self._detail_kind = kind
            self.canvas.item.details.clear()
        self._fill_box_details()

    def _caption(self, frame: TracedFrame | None) -> None:
        s = self.schedule
        text = ""
        if frame is not None:
            items = s.items(frame)
            names = [self.drawing.titles[k] for k in items[:3]]
            more = f" and {len(items) - 3} more" if len(items) > 3 else ""
            if frame.phase == FORWARD:
                text = (f"Forward step {frame.index + 1} of {len(s.forward)}: computes "
                        f"{', '.join(names)}{more}{self._value_of(items)}")
                if not self.graph.grad_runs and not self._backward_ok:
                    text += " — no gradients captured: this graph cannot run backward"
            else:
                source = ("captured gradients" if self.graph.grad_runs
                          else "no gradients captured: this graph cannot run backward")
                text = (f"Backward step {frame.index + 1} of {len(s.steps)}: the gradient "
                        f"reaches {', '.join(names)}{more} (pink: reached; {source})")
        self.controls.step_label.setText(text)
        self.controls.step_label.setToolTip(text)

    def _number(self, k: int, forward: bool) -> str:
        """What box ``k`` just got: its value's statistics (forward) or its gradient's norm."""
        node = self.folding.view().items[k].node
        if node < 0:  # a folded module: its numbers are inside it
            return ""
        if forward or not self.graph.grad_runs:
            return stats_text(self.graph.value(node)) if forward else ""
        grad = self.graph.grad(node)
        return f"∇ ‖g‖ {fmt(grad.norm)}" if grad is not None and grad.ok else ""

    def _callouts(self, items: list[int], forward: bool) -> dict[int, str]:
        lines = ((k, self._number(k, forward)) for k in items[:CALLOUTS])
        return {k: line for k, line in lines if line}

    def _value_of(self, items: list[int]) -> str:
        """" → μ …  ‖·‖ …" for the first box of the step whose value is summarized."""
        line = next((t for t in (self._number(k, True) for k in items) if t), "")
        return f" → {line}" if line else ""

    def _follow(self, items: list[int]) -> None:
        """Keep the lit boxes in view (a large graph zoomed in follows the animation)."""
        if not items:
            return
        r = self.drawing.rects[items]
        x0, y0 = float(r[:, 0].min()), float(r[:, 1].min())
        x1, y1 = float(r[:, 2].max()), float(r[:, 3].max())
        lit = QRectF(x0, y0, x1 - x0, y1 - y0)
        c = self.canvas
        if not c.mapToScene(c.viewport().rect()).boundingRect().contains(lit):
            c.ensureVisible(lit, 40, 40)  # only when out of view: a fitted graph stays put
