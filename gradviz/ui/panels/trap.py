"""The zero_grad trap: press ``loss.backward()`` and watch ``.grad`` pile up (or not).

Three tabs: the accumulation trap itself (modes, zeroing forms, graph reuse), reading the
gradient (nudge w by δ; one update step) and the non-scalar-loss trap. Every number comes from
:mod:`gradviz.core.trap` and :mod:`gradviz.core.trap_reading`, which run real tensors; the
sections in :mod:`~gradviz.ui.panels.trap_sections` and
:mod:`~gradviz.ui.panels.trap_reading_sections` only show them.
"""

from __future__ import annotations

import torch
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QTabWidget

from gradviz.core.commands import SetFieldCommand
from gradviz.core.numbers import full_text
from gradviz.core.trap import (
    MODE_TITLES,
    MODES,
    PressRecord,
    TrapModel,
    ZeroRecord,
    history_view,
    press_summary,
    zero_summary,
)
from gradviz.core.trap_code import update_code
from gradviz.core.trap_reading import (
    ApplyUpdateCommand,
    gradient_update,
    non_scalar_backward,
    nudge,
    nudge_curve,
)
from gradviz.ui.panels.base import QtPanel
from gradviz.ui.panels.presenting import NO_SCALE
from gradviz.ui.panels.trap_reading_sections import (
    NUDGE_SAMPLES,
    QtNonScalarSection,
    QtNudgeSection,
    QtUpdateSection,
)
from gradviz.ui.panels.trap_sections import (
    PRESS_TYPE,
    QtPressSection,
    QtTrapPlotSection,
    QtTrapSettingsSection,
    QtZeroSection,
    monospace,
)
from gradviz.ui.registry import PanelContext
from gradviz.ui.theme import Theme
from gradviz.ui.widgets.page_sized_tabs import size_to_current_page
from gradviz.ui.widgets.panel_section import PAGE_MARGIN, QtCodeSection, section_page


class QtTrapPanel(QtPanel):
    """Press ``loss.backward()`` in three modes on the shared mini network."""

    explainer = ("backward() adds its result into .grad; it never replaces it. Press it a few "
                 "times without zeroing and the gradient grows 0.4, 0.8, 1.2, … although one "
                 "press's true gradient is still 0.4.")
    try_this = ("press loss.backward() five times, switch to With zero_grad() and press again; "
                "then try Reuse the same graph.")

    def __init__(self, ctx: PanelContext) -> None:
        super().__init__(ctx)
        self.trap: TrapModel = self.model["trap"]
        self.net = self.trap.net
        self._theme = ctx.theme()
        self._build_sections()
        self._expose_widgets()
        self._connect()
        self._show_settings()
        self._refresh_trap(None)
        self._refresh_read()
        self.apply_theme(self._theme)

    # ------------------------------------------------------------------ building
    def _build_sections(self) -> None:
        self.settings_section = QtTrapSettingsSection()
        self.press_section = QtPressSection()
        self.plot_section = QtTrapPlotSection()
        self.code_section = QtCodeSection(
            "code", "The code each press runs (highlighted: the line that matters):", 13)
        self.zero_section = QtZeroSection()
        self.nudge_section = QtNudgeSection(TrapModel.setting("delta").step)
        self.update_section = QtUpdateSection()
        self.scalar_section = QtNonScalarSection()
        self.tabs = QTabWidget()
        self.tabs.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.body_layout.addWidget(self.tabs)
        pages = (
            ("backward() again and again", self.plot_section,
             (self.settings_section, self.press_section, self.plot_section, self.code_section,
              self.zero_section)),
            ("What .grad tells you", self.nudge_section, (self.nudge_section, self.update_section)),
            ("Non-scalar loss", self.scalar_section, (self.scalar_section,)),
        )
        for title, grow, sections in pages:
            self.tabs.addTab(section_page(*sections, grow=grow), title)
        size_to_current_page(self.tabs)

    def _expose_widgets(self) -> None:
        """The widgets tests and the clicker reach, under the names they always had."""
        s, p, pl, z = self.settings_section, self.press_section, self.plot_section, \
            self.zero_section
        self.mode_buttons, self.zero_form_combo, self.retain_check = \
            s.mode_buttons, s.zero_form_combo, s.retain_check
        self.backward_button, self.restart_button, self.press_label = \
            p.backward_button, p.restart_button, p.press_label
        self.bars, self.history_plot, self.error_box = pl.bars, pl.history_plot, pl.error_box
        self.w_curve, self.true_line, self.error_marks = pl.w_curve, pl.true_line, pl.error_marks
        self.code = self.code_section.code
        self.zero_buttons, self.zero_result = z.zero_buttons, z.zero_result
        n, u, sc = self.nudge_section, self.update_section, self.scalar_section
        self.delta_slider, self.read_labels, self.read_verdict = \
            n.delta_control.slider, n.read_labels, n.read_verdict
        self.lr_spin, self.apply_update_button, self.update_code = \
            u.lr_spin, u.apply_update_button, u.update_code
        self.scalar_button, self.scalar_error, self.scalar_result = \
            sc.scalar_button, sc.scalar_error, sc.scalar_result

    def _connect(self) -> None:
        self.bind(self.zero_form_combo, self.trap, "zero_form")
        self.bind(self.retain_check, self.trap, "retain_graph")
        self.bind(self.nudge_section.delta_control, self.trap, "delta")
        self.bind(self.lr_spin, self.trap, "lr")
        self.settings_section.mode_group.idClicked.connect(self._on_mode_clicked)
        self.backward_button.clicked.connect(self._on_backward_clicked)
        self.restart_button.clicked.connect(self._on_restart_clicked)
        for form, button in self.zero_buttons.items():
            button.clicked.connect(lambda _=False, f=form: self._on_zero_clicked(f))
        self.apply_update_button.clicked.connect(self._on_apply_update)
        self.scalar_button.clicked.connect(self._on_scalar_clicked)
        t = self.trap.events
        self.listen(t.pressed, self._on_pressed)
        self.listen(t.zeroed, self._on_zeroed)
        self.listen(t.restarted, self._on_restarted)
        for signal in (t.mode, t.zero_form, t.retain_graph):
            self.listen(signal, self._on_settings_changed)
        for signal in (t.delta, t.lr):
            self.listen(signal, self._on_reading_changed)
        for name in ("x", "y", "w", "b"):
            self.listen(getattr(self.net.events, name), self._on_net_changed)

    # ------------------------------------------------------------------ model → view
    def _show_settings(self) -> None:
        self.settings_section.show_mode(self.trap.mode)
        listing = self.trap.code()
        self.code_section.show_code(listing.lines, listing.highlight)

    def _refresh_trap(self, error_source: PressRecord | ZeroRecord | None) -> None:
        """Redraw bars, history and press count from the model's session."""
        session = self.trap.session
        grads = self.trap.current_grads()
        self.press_label.setText(press_summary(session.history, grads[0], session.true_w_grad))
        self.press_label.setToolTip(full_text(grads[0]))
        self.plot_section.show_session(session, grads,
                                       history_view(session.history, session.true_w_grad),
                                       error_source.error if error_source is not None else None)

    def _refresh_read(self) -> None:
        delta = TrapModel.setting("delta")
        try:
            n = nudge(self.net, self.trap.delta)
            upd = gradient_update(self.net, self.trap.lr)
            deltas = torch.linspace(delta.lo, delta.hi, NUDGE_SAMPLES)
            curves = nudge_curve(self.net, deltas)
        except Exception as exc:  # never let a slot raise into the event loop
            self.read_verdict.setText(f"Could not compute: {exc}")
            return
        self.nudge_section.show_nudge(n, deltas, curves, self._theme)
        self.update_section.show_update(upd, update_code(self.trap.lr))

    # ------------------------------------------------------------------ model events
    def _on_pressed(self, record: PressRecord) -> None:
        self.zero_section.show_result("")  # it described the previous zeroing, not this press
        self._refresh_trap(record)

    def _on_zeroed(self, record: ZeroRecord) -> None:
        self.zero_section.show_result(zero_summary(record), record.w_grad)
        self._refresh_trap(record)

    def _on_restarted(self) -> None:
        self.zero_section.show_result("")
        self._refresh_trap(None)

    def _on_settings_changed(self, *_) -> None:
        self._show_settings()

    def _on_reading_changed(self, *_) -> None:
        self._refresh_read()

    def _on_net_changed(self, *_) -> None:
        self._show_settings()
        self._refresh_read()

    # ------------------------------------------------------------------ user actions
    def press(self) -> PressRecord | None:
        """One press of loss.backward() (the button, PageDown)."""
        try:
            return self.trap.press()
        except Exception as exc:  # never let a slot raise into the event loop
            self.ctx.status(f"backward() failed: {exc}")
            return None

    def _on_backward_clicked(self) -> None:
        self.press()

    def _on_restart_clicked(self) -> None:
        self.trap.restart()

    def _on_zero_clicked(self, form: str) -> None:
        try:
            self.trap.zero(form)
        except Exception as exc:
            self.ctx.status(f"zeroing failed: {exc}")

    def _on_mode_clicked(self, index: int) -> None:
        """Radio buttons, not a bindable control: a choice is one undo step, never merged."""
        mode = MODES[index]
        if mode != self.trap.mode:
            self.ctx.push(SetFieldCommand(self.trap, "mode", mode, merge=False,
                                          label=f"Trap mode: {MODE_TITLES[mode]}"))
        self._show_settings()

    def _on_apply_update(self) -> None:
        try:
            command = ApplyUpdateCommand(self.net, gradient_update(self.net, self.trap.lr))
        except Exception as exc:  # out of range, or torch failed: say so, change nothing
            self.update_section.update_label.setText(
                f"Not applied: {exc}. Try a smaller learning rate.")
            return
        self.ctx.push(command)

    def _on_scalar_clicked(self) -> None:
        try:
            demo = non_scalar_backward(self.net)
        except Exception as exc:
            self.ctx.status(f"could not run the demo: {exc}")
            return
        self.scalar_section.show_demo(demo)

    # ------------------------------------------------------------------ protocol
    def can_step(self) -> bool:
        return True

    def step(self, direction: int) -> bool:
        if direction > 0:
            return self.press() is not None
        return False

    def set_presenting(self, on: bool, scale: float = 1.0) -> None:
        """Presenter layout; the ``loss.backward()`` button's type, 1.8 × the text's on the
        desktop, grows with the scale only as far as the text around it: its row stays low
        under the plot (at ×3 it took a fifth of a 720-px screen's height)."""
        super().set_presenting(on, scale)
        button = self.backward_button
        button.setProperty(NO_SCALE, on)
        # The application font is the scaled one while presenting: 1.8 × the normal size.
        factor = max(PRESS_TYPE / scale, 1.0) if on else PRESS_TYPE
        button.setFont(monospace(factor, bold=True, base=QApplication.font()))
        self._present_tabs(on, scale)

    def _present_tabs(self, on: bool, scale: float) -> None:
        """The tab titles are the presenter's chrome, not the room's: like the fold strip, they
        keep the desktop's type, and the pages give up their margins to the plot."""
        bar = self.tabs.tabBar()
        bar.setProperty(NO_SCALE, on)
        if on:
            normal = QFont(QApplication.font())
            normal.setPointSizeF(normal.pointSizeF() / scale)
            bar.setFont(normal)
        else:
            bar.setFont(QFont())  # inherit the application's font again
        margin = 0 if on else PAGE_MARGIN
        for i in range(self.tabs.count()):
            self.tabs.widget(i).layout().setContentsMargins(*[margin] * 4)

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.plot_section.apply_theme(theme)
        self.nudge_section.apply_theme(theme)
        self._refresh_read()
        for code in (self.code, self.update_code, self.scalar_section.scalar_code):
            code.set_theme(theme)
        self.scalar_section.scalar_error.set_theme(theme)
