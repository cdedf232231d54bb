"""The chapter "Why Derivatives?" section by section, each with a short explainer in our own words
and the panel that brings it to life (named by registry name; titles come from the registry)."""

from __future__ import annotations

from dataclasses import dataclass

from gradviz.core.panel_info import PanelInfo


@dataclass(frozen=True)
class Section:
    title: str
    explainer: str
    panel: str  # registry name of the panel that brings the section to life (its title too)


SECTIONS = (
    Section("Why derivatives?",
            "Training is walking downhill on the loss. The derivative is the local slope: its "
            "sign says which way is down, its size how steep it is there.",
            "tangent"),
    Section("Three ways to compute a derivative",
            "By the rules of calculus, by nudging the input a little (finite differences), or by "
            "autograd. Compare their answers and where each one goes wrong.",
            "approaches"),
    Section("The chain rule",
            "A composition's derivative is the product of each link's own derivative. Build a "
            "chain and watch the local factors multiply into the total.",
            "chain"),
    Section("Computational graphs",
            "PyTorch records each operation as a node while computing forward, then walks the "
            "nodes backwards. Where a value is used twice, gradients add up.",
            "graph"),
    Section("The autograd API",
            "requires_grad switches tracking on, backward() fills in gradients, .grad holds them. "
            "One call on a tiny network shows all three.",
            "trap"),
    Section("Partial derivatives and the gradient",
            "With two inputs there is one slope per input. Together they form the gradient "
            "vector; its negative points straight downhill.",
            "surface"),
    Section("The gradient accumulation trap",
            "backward() adds into .grad instead of replacing it. Forget to zero it and every "
            "step uses a bigger, wrong gradient.",
            "trap"),
    Section("no_grad() and detach()",
            "Switching tracking off saves the memory the graph would need; detach() cuts one "
            "tensor out of the graph so no gradient flows through it.",
            "nograd"),
    Section("Gradient descent with autograd",
            "Step against the slope, again and again: x moves toward the minimum and the steps "
            "shrink as the ground flattens.",
            "tangent"),
    Section("Gradient descent on a loss surface",
            "With two parameters the loss is a landscape. A ball rolls downhill along the "
            "negative gradient; optimizers race to the bottom.",
            "surface"),
    Section("The training loop",
            "zero the gradients, run forward, call backward, take a step: four lines that every "
            "training loop repeats.",
            "training"),
    Section("Watching a network learn",
            "Many neurons, each a small w·x + b with an activation, trained by the same loop. "
            "Watch every weight and neuron change as the gradients push them, and walk one "
            "update through forward, loss, backward and the optimizer's step.",
            "playground"),
)


PANEL = PanelInfo("chapter_map", "Chapter map", "chapter_map:QtChapterMap", area="left", order=0)
