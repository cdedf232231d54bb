"""Backprop mode's stepper, Qt-free: the walked iteration of :class:`BackpropWalk` with the
backward phase revealed one layer per Step (output layer first), and the text each step shows."""

from __future__ import annotations

from gradviz.core.backprop_walk import BackpropWalk
from gradviz.core.numbers import fmt
from gradviz.core.playground import PlaygroundModel
from gradviz.core.playground_view import weight_name


class WalkStepper:
    """One Step press = one phase, except backward, which shows one more layer's δ per press."""

    def __init__(self, model: PlaygroundModel) -> None:
        self.model = model
        self.walk: BackpropWalk | None = None
        self.revealed = 0  # layers of the backward phase shown so far

    @property
    def active(self) -> bool:
        """A walk is under way (started and not finished)."""
        return self.walk is not None and not self.walk.done

    def advance(self) -> str:
        """The next phase (or backward layer); returns the text to show."""
        if self.walk is None or self.walk.done or self.walk.model.run is not self.model.run:
            self.walk = BackpropWalk(self.model)
            self.revealed = 0
        walk = self.walk
        if walk.phase == "backward" and self.revealed < len(walk.layers):
            self.revealed += 1
        else:
            walk.advance()
            if walk.phase == "backward":
                self.revealed = 1
        return self.describe()

    def finish(self) -> None:
        """Complete a walk under way, so ordinary updates continue from a whole iteration."""
        if self.active:
            self.walk.run_all()

    def forget(self) -> None:
        self.walk = None
        self.revealed = 0

    def describe(self) -> str:
        walk = self.walk
        if walk is None or walk.phase is None:
            return "Backprop mode: press Step to run the forward pass of the next batch."
        n = len(walk.x)
        if walk.phase == "forward":
            parts = [f"layer {i + 1}: z = a·Wᵀ + b → {tuple(t.z.shape)}, mean a = "
                     f"{fmt(float(t.outputs.detach().mean()))}" for i, t in enumerate(walk.layers)]
            return f"1 · Forward: {n} points through the network.\n" + "\n".join(parts)
        if walk.phase == "loss":
            return (f"2 · Loss: data loss {fmt(walk.data_loss)} + regularization "
                    f"{fmt(walk.penalty)} = L = {fmt(walk.loss)}")
        if walk.phase == "backward":
            shown = walk.layers[::-1][:self.revealed]
            top = len(walk.layers)
            parts = [f"layer {top - i}: δ = ∂ℓ/∂z, mean |δ| = "
                     f"{fmt(float(t.delta.abs().mean()))}" for i, t in enumerate(shown)]
            more = "" if self.revealed == top else "\n(Step: the next layer back)"
            return ("3 · Backward: the gradient flows from the loss toward the inputs. Click a "
                    "weight for ∂L/∂w.\n" + "\n".join(parts) + more)
        return (f"4 · Optimizer step ({self.model.optimizer}): update {self.model.steps} made. "
                "Click a weight for w_new − w_old.")

    def weight_formula(self, layer: int, j: int, k: int | None) -> str:
        """∂L/∂w (and the update, once stepped) of one weight or bias, or why not yet."""
        walk = self.walk
        name = weight_name(layer, j, k)
        if walk is None or walk.next < 3:
            return f"{name}: step to the backward phase to see its gradient."
        text = walk.gradient(layer, j, k).text
        if walk.done:
            text += "\n\n" + walk.update(layer, j, k).text
        return text
