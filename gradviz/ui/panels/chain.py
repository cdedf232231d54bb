"""The chain-rule explorer: build y = f(g(h(x))) from links and watch the local derivatives
multiply into the total, next to autograd's answer.

A view of :class:`gradviz.core.chain.ChainModel`, built from the sections in
:mod:`gradviz.ui.panels.chain_sections`; the diagram (:mod:`gradviz.ui.panels.chain_diagram`) is
painted from :class:`gradviz.core.chain.ChainResult`.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QTimer

from gradviz.core.chain import (
    MAX_LINKS,
    X_SLIDER_RANGE,
    ChainModel,
    ChainResult,
    composed_text,
    evaluate_chain,
    link_label,
)
from gradviz.core.commands import SetFieldCommand
from gradviz.core.derivative_code import chain_code
from gradviz.core.model import StateError
from gradviz.core.numbers import fmt, full_text
from gradviz.ui.panels.base import QtPanel
from gradviz.ui.panels.chain_sections import DiagramSection, LinksSection, XSection
from gradviz.ui.registry import PanelContext
from gradviz.ui.theme import LIGHT, Theme
from gradviz.ui.widgets.code_view import QtCodeView

log = logging.getLogger(__name__)

class QtChainPanel(QtPanel):
    """Compose 2–4 links, slide x, and compare the product of local derivatives with autograd."""

    explainer = ("A composition's slope is the product of each link's own slope, taken at the "
                 "value that reaches it. The boxes compute forward to the right; the product "
                 "flows back to the left, exactly as backward() does.")
    try_this = ("slide x and watch which local derivative changes most; then put ReLU first and "
                "move x below 0: one zero factor stops the whole gradient.")

    def __init__(self, ctx: PanelContext) -> None:
        super().__init__(ctx)
        self.cm: ChainModel = ctx.model["chain"]
        self._theme: Theme = ctx.theme() if callable(ctx.theme) else LIGHT
        self.result: ChainResult | None = None
        self._shown_links: list[str] | None = None
        self._composed = ""
        self._build()
        self.bind(self.x_slider, self.cm, "x")
        # The slider travels where the links show their shapes; the box reaches the whole range.
        self.x_slider.set_range(*X_SLIDER_RANGE)
        self.bind(self.x_spin, self.cm, "x")
        # The listing follows at most a few times a second: repainting it on every slider step
        # would double the cost of a frame.
        self._code_timer = QTimer(self)
        self._code_timer.setSingleShot(True)
        self._code_timer.setInterval(150)
        self._code_timer.timeout.connect(self._refresh_code)
        self.listen(self.cm.events.links, self._on_model_changed)
        self.listen(self.cm.events.x, self._on_model_changed)
        self._refresh()
        self._refresh_code()
        self.apply_theme(self._theme)

    def teardown(self) -> None:
        self._code_timer.stop()
        super().teardown()

    def _build(self) -> None:
        self.links_section = LinksSection(self)
        self.diagram_section = DiagramSection()
        self.x_section = XSection()
        self.code_section = self.code_view = QtCodeView(
            "The chain rule by hand, then the same with autograd: run it and compare with the "
            "diagram.")
        self.code_view.setObjectName("section-code")
        self.code_view.setAccessibleName("code listing")
        self.code_view.setMinimumHeight(160)
        # The sections' widgets keep their old names (panel.editors, panel.diagram …).
        for section in (self.links_section, self.diagram_section, self.x_section):
            self.__dict__.update({k: v for k, v in vars(section).items() if not k.startswith("_")})
        self.add_button.clicked.connect(self.add_link)
        for section, stretch in ((self.links_section, 0), (self.diagram_section, 2),
                                 (self.x_section, 0), (self.code_section, 1)):
            self.body_layout.addWidget(section, stretch)

    # ------------------------------------------------------------------ user → model
    def _set_x(self, value: float) -> None:
        """What one step of the x slider does (the benchmark drives the panel through it)."""
        if float(value) != self.cm.x:
            self.ctx.push(SetFieldCommand(self.cm, "x", float(value)))

    def _push_links(self, make, label: str) -> bool:
        try:
            links = make()
        except (StateError, ValueError, IndexError) as exc:
            self._say(str(exc))
            return False
        self.message.hide()
        if links == list(self.cm.links):
            return False
        return self.ctx.push(SetFieldCommand(self.cm, "links", links, label=label, merge=False))

    def add_link(self) -> bool:
        return self._push_links(lambda: self.cm.with_link_added("x**2"), "Add link x²")

    def remove_link(self, index: int) -> bool:
        return self._push_links(lambda: self.cm.with_link_removed(index),
                                f"Remove link {index + 1}")

    def move_link(self, index: int, offset: int) -> bool:
        return self._push_links(lambda: self.cm.with_link_moved(index, offset),
                                f"Move link {index + 1}")

    def replace_link(self, index: int, source: str) -> bool:
        return self._push_links(lambda: self.cm.with_link_replaced(index, source),
                                f"Set link {index + 1} = {link_label(source)}")

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {self._theme.error};")
        self.message.show()

    # ------------------------------------------------------------------ model → view
    def _on_model_changed(self, *_args) -> None:
        try:
            self._refresh()
        except Exception:
            log.exception("chain panel refresh failed")

    def _refresh(self) -> None:
        cm = self.cm
        links = list(cm.links)
        if links != self._shown_links:
            # The editors only change with the links, not on every slider step.
            self._shown_links = links
            for i, ed in enumerate(self.editors):
                ed.setVisible(i < len(links))
                if i < len(links):
                    ed.show_link(links[i], len(links))
            self.add_button.setEnabled(len(links) < MAX_LINKS)
            self._composed = composed_text(links)
        r = evaluate_chain(links, cm.x)
        self.result = r
        self.diagram.set_result(r)
        self.formula.setText(f"y = <b>{self._composed}</b> &nbsp; at x = {fmt(cm.x)} "
                             f"&nbsp; → y = {fmt(r.y)}")
        self._refresh_product()
        self._code_timer.start()

    def _refresh_code(self) -> None:
        try:
            self.code_view.set_code(chain_code(list(self.cm.links), self.cm.x))
        except Exception:
            log.exception("chain code refresh failed")

    def product_text(self) -> str:
        """"2 × 0.540302 × 3 = 3.24181": the locals in diagram order, and their product."""
        r = self.result
        return " × ".join(fmt(v) for v in r.locals_) + f" = {fmt(r.by_hand)}"

    def _refresh_product(self) -> None:
        r, th = self.result, self._theme
        ok = r.agree(1e-6)
        mark = (f"<span style='color:{th.neutral}'>✓ they agree</span>" if ok else
                f"<span style='color:{th.error}'>✗ they differ</span>")
        self.product.setText(
            f"dy/dx by hand = {self.product_text()} &nbsp;&nbsp; autograd: x.grad = "
            f"<b>{fmt(r.autograd)}</b> &nbsp; {mark}")
        self.product.setToolTip(f"by hand: {full_text(r.by_hand, 'float64')}\n"
                                f"autograd: {full_text(r.autograd, 'float64')}")

    # ------------------------------------------------------------------ theme
    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.diagram.set_theme(theme)
        for ed in self.editors:
            ed.field.set_theme(theme)
        if self.result is not None:
            self._refresh_product()
