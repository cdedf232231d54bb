"""The chapter map: the chapter's sections in order, each with a short explainer in our own
words and a button that shows the panel bringing it to life."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from gradviz.core.chapter import SECTIONS, Section
from gradviz.ui.panels.base import QtPanel
from gradviz.ui.registry import PanelContext


class SectionCard(QFrame):
    def __init__(self, index: int, section: Section, available: bool, ctx: PanelContext) -> None:
        super().__init__()
        self.section = section
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        heading = QLabel(f"<b>{index}. {section.title}</b>")
        text = QLabel(section.explainer)
        text.setWordWrap(True)
        title = ctx.panel_title(section.panel) or section.panel
        label = title.replace("&", "&&")  # a single & would be a mnemonic
        self.button = QPushButton(f"Open {label}" if available
                                  else f"{label} (not in this build)")
        self.button.setEnabled(available)
        self.button.setObjectName(f"open-{section.panel}")
        self.button.clicked.connect(lambda: ctx.show_panel(section.panel))
        layout.addWidget(heading)
        layout.addWidget(text)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)


class QtChapterMap(QtPanel):
    explainer = ("The chapter “Why Derivatives?” section by section. Each card names the idea "
                 "and opens the panel where you can touch it.")
    try_this = "start at the top and open each panel in turn."

    def __init__(self, ctx: PanelContext, available: set[str] | None = None) -> None:
        super().__init__(ctx)
        # Panels missing from this build get a disabled button rather than a dead one.
        self.available = available if available is not None else set(ctx.panel_names()) or None
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

