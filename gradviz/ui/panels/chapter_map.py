"""The chapter map: the chapter's sections in order, each with a short explainer in our own
words and a button that shows the panel bringing it to life."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from gradviz.ui.panels.base import QtPanel
from gradviz.ui.registry import PanelContext, PanelSpec


@dataclass(frozen=True)
class Section:
    title: str
    explainer: str
    panel: str  # registry name of the panel that brings the section to life
    panel_title: str


SECTIONS = (
    Section("Why derivatives?",
            "Training is walking downhill on the loss. The derivative is the local slope: its "
            "sign says which way is down, its size how steep it is there.",
            "tangent", "Tangent slope"),
    Section("Three ways to compute a derivative",
            "By the rules of calculus, by nudging the input a little (finite differences), or by "
            "autograd. Compare their answers and where each one goes wrong.",
            "approaches", "Three approaches"),
    Section("The chain rule",
            "A composition's derivative is the product of each link's own derivative. Build a "
            "chain and watch the local factors multiply into the total.",
            "chain", "Chain rule"),
    Section("Computational graphs",
            "PyTorch records each operation as a node while computing forward, then walks the "
            "nodes backwards. Where a value is used twice, gradients add up.",
            "graph", "Graph editor"),
    Section("The autograd API",
            "requires_grad switches tracking on, backward() fills in gradients, .grad holds them. "
            "One call on a tiny network shows all three.",
            "trap", "zero_grad trap"),
    Section("Partial derivatives and the gradient",
            "With two inputs there is one slope per input. Together they form the gradient "
            "vector; its negative points straight downhill.",
            "surface", "Loss surface"),
    Section("The gradient accumulation trap",
            "backward() adds into .grad instead of replacing it. Forget to zero it and every "
            "step uses a bigger, wrong gradient.",
            "trap", "zero_grad trap"),
    Section("no_grad() and detach()",
            "Switching tracking off saves the memory the graph would need; detach() cuts one "
            "tensor out of the graph so no gradient flows through it.",
            "nograd", "no_grad & detach"),
    Section("Gradient descent with autograd",
            "Step against the slope, again and again: x moves toward the minimum and the steps "
            "shrink as the ground flattens.",
            "tangent", "Tangent slope"),
    Section("Gradient descent on a loss surface",
            "With two parameters the loss is a landscape. A ball rolls downhill along the "
            "negative gradient; optimizers race to the bottom.",
            "surface", "Loss surface"),
    Section("The training loop",
            "zero the gradients, run forward, call backward, take a step: four lines that every "
            "training loop repeats.",
            "training", "Training loop"),
)


class SectionCard(QFrame):
    def __init__(self, index: int, section: Section, available: bool, ctx: PanelContext) -> None:
        super().__init__()
        self.section = section
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        title = QLabel(f"<b>{index}. {section.title}</b>")
        text = QLabel(section.explainer)
        text.setWordWrap(True)
        label = section.panel_title.replace("&", "&&")  # a single & would be a mnemonic
        self.button = QPushButton(f"Open {label}" if available
                                  else f"{label} (not in this build)")
        self.button.setEnabled(available)
        self.button.setObjectName(f"open-{section.panel}")
        self.button.clicked.connect(lambda: ctx.show_panel(section.panel))
        layout.addWidget(title)
        layout.addWidget(text)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)


class QtChapterMap(QtPanel):
    panel_name = "chapter_map"
    title = "Chapter map"
    explainer = ("The chapter “Why Derivatives?” section by section. Each card names the idea "
                 "and opens the panel where you can touch it.")
    try_this = "start at the top and open each panel in turn."

    def __init__(self, ctx: PanelContext, available: set[str] | None = None) -> None:
        super().__init__(ctx)
        self.available = available
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget()
        col = QVBoxLayout(inner)
        self.cards: list[SectionCard] = []
        for i, section in enumerate(SECTIONS, start=1):
            ok = available is None or section.panel in available
            card = SectionCard(i, section, ok, ctx)
            self.cards.append(card)
            col.addWidget(card)
        col.addStretch(1)
        scroll.setWidget(inner)
        self.body_layout.addWidget(scroll)


def _factory(ctx: PanelContext) -> QtChapterMap:
    return QtChapterMap(ctx, set(ctx.panel_names()))


SPEC = PanelSpec("chapter_map", "Chapter map", _factory, area="left", order=0)
