"""no_grad() and detach() made visible.

The memory tab measures, for real, what an MLP's forward pass saves for backward with grad
tracking on and inside ``torch.no_grad()`` (:mod:`gradviz.core.memory`); the detach tab runs the
two-path graph with one path detached (:mod:`gradviz.core.detach_demo`) and shows where the
gradient stops. The sections live in :mod:`~gradviz.ui.panels.nograd_sections`.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QTabWidget

from gradviz.core.commands import SetFieldCommand
from gradviz.core.detach_demo import CHOICES, TITLES, run_detach_demo
from gradviz.core.memory import MemoryReport, NoGradModel, human_bytes, measure_job, no_grad_code
from gradviz.ui.panels.base import QtPanel
from gradviz.ui.panels.nograd_sections import (
    SIZE_FIELDS,
    QtDetachChoiceSection,
    QtDetachView,
    QtMemoryPlotSection,
    QtMemoryTableSection,
    QtMlpSizeSection,
)
from gradviz.ui.registry import PanelContext
from gradviz.ui.theme import Theme
from gradviz.ui.widgets.page_sized_tabs import size_to_current_page
from gradviz.ui.widgets.panel_section import QtCodeSection, section_page

#: Slider changes are coalesced: a drag measures once it pauses for this long.
DEBOUNCE_MS = 40
#: How often the GUI thread looks for a finished background measurement.
POLL_MS = 20

__all__ = ["QtNoGradPanel", "human_bytes"]


class QtNoGradPanel(QtPanel):
    """Memory saved for backward (grad on vs no_grad) and a detached path in a small graph."""

    explainer = ("Recording a graph costs memory: every operation keeps the tensors its backward "
                 "needs. Inside torch.no_grad() nothing is kept. detach() cuts one tensor out of "
                 "the graph, so no gradient flows back through it.")
    try_this = ("drag the width slider and watch the saved bytes grow while no_grad stays at 0; "
                "then, on the detach tab, detach a and see y.grad stay None.")

    def __init__(self, ctx: PanelContext) -> None:
        super().__init__(ctx)
        self.settings: NoGradModel = self.model["nograd"]
        self._theme = ctx.theme()
        self.reports: dict[bool, MemoryReport] = {}
        self._sweep_key: tuple[int, int] | None = None
        self._measure_timer = QTimer(self)
        self._measure_timer.setSingleShot(True)
        self._measure_timer.setInterval(DEBOUNCE_MS)
        self._measure_timer.timeout.connect(self._measure_now)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gradviz-nograd")
        self._future: Future | None = None
        self._future_key: tuple[int, int, int] | None = None
        self._pending = False
        self._poll_timer = QTimer(self)
        self._poll_timer.setInterval(POLL_MS)
        self._poll_timer.timeout.connect(self._collect)
        self._build()
        self._connect()
        self._show_sizes()
        # The first measurement (default sliders: a few ms) runs here, so the panel never opens
        # empty; later ones run on the worker thread.
        st = self.settings
        self._apply((st.width, st.depth, st.batch), *measure_job(st.width, st.depth, st.batch, True))
        self._refresh_detach()
        self.apply_theme(self._theme)

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        self.size_section = QtMlpSizeSection({n: NoGradModel.setting(n).label
                                              for n in SIZE_FIELDS})
        self.table_section = QtMemoryTableSection()
        self.plot_section = QtMemoryPlotSection()
        self.memory_code_section = QtCodeSection("memory-code", "", 9, "code of the two forward passes")
        self.choice_section = QtDetachChoiceSection()
        self.detach_view = QtDetachView()
        self.detach_code_section = QtCodeSection("detach-code", "", 8, "code of the detached graph")
        self.tabs = QTabWidget()
        self.tabs.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.body_layout.addWidget(self.tabs)
        memory = (self.size_section, self.table_section, self.plot_section,
                  self.memory_code_section)
        detach = (self.choice_section, self.detach_view, self.detach_code_section)
        self.tabs.addTab(section_page(*memory, grow=self.plot_section), "no_grad(): memory")
        self.tabs.addTab(section_page(*detach, grow=self.detach_view),
                         "detach(): where the flow stops")
        size_to_current_page(self.tabs)
        # The names tests have always used.
        self.sliders, self.slider_labels = self.size_section.sliders, \
            self.size_section.slider_labels
        self.cells, self.busy_label = self.table_section.cells, self.table_section.busy_label
        self.memory_plot = self.plot_section.memory_plot
        self.activation_curve = self.plot_section.activation_curve
        self.memory_code = self.memory_code_section.code
        self.detach_buttons = self.choice_section.detach_buttons
        self.graph_view = self.detach_view.graph_view
        self.leaf_bars, self.detach_note = self.detach_view.leaf_bars, \
            self.detach_view.detach_note
        self.detach_code = self.detach_code_section.code

    def _connect(self) -> None:
        for name, slider in self.sliders.items():
            self.bind(slider, self.settings, name)
            self.listen(getattr(self.settings.events, name), self._on_size_changed)
        self.choice_section.detach_group.idClicked.connect(self._on_detach_clicked)
        self.listen(self.settings.events.detach, self._on_detach_changed)

    # ------------------------------------------------------------------ model → view
    def _show_sizes(self) -> None:
        for name, label in self.slider_labels.items():
            label.setText(str(getattr(self.settings, name)))

    def _measure_now(self) -> None:
        """Start measuring the current settings on the worker thread (latest request wins)."""
        if self._future is not None and not self._future.done():
            self._pending = True
            return
        s = self.settings
        key = (s.width, s.depth, s.batch)
        sweep = (s.depth, s.batch) != self._sweep_key
        self._future = self._pool.submit(measure_job, *key, sweep)
        self._future_key = key
        self.busy_label.setText(f"measuring width {s.width}, {s.depth} layers, batch {s.batch}…")
        self._poll_timer.start()

    @property
    def measuring(self) -> bool:
        return self._future is not None or self._pending

    def _collect(self) -> None:
        future = self._future
        if future is None or not future.done():
            return
        self._poll_timer.stop()
        self._future = None
        try:
            reports, sweep = future.result()
        except Exception as exc:  # shown in the panel; never raised into the event loop
            self.busy_label.setText(f"Could not measure: {exc}")
        else:
            assert self._future_key is not None
            self._apply(self._future_key, reports, sweep)
        if self._pending:
            self._pending = False
            self._measure_now()

    def _apply(self, key: tuple[int, int, int], reports: dict[bool, MemoryReport],
               sweep: list[MemoryReport] | None) -> None:
        width, depth, batch = key
        self.reports = reports
        self.busy_label.setText("")
        if sweep is not None:
            self._sweep_key = (depth, batch)
            self.plot_section.show_sweep(sweep)
        self.table_section.show_reports(reports[False], reports[True])
        self.plot_section.readout.show_reports(reports[False], reports[True])
        self.plot_section.show_width(width)
        self.memory_code_section.show_code(no_grad_code(width, depth, batch), (4, 5, 7, 8))

    def _refresh_detach(self) -> None:
        try:
            r = run_detach_demo(self.settings.detach)
        except Exception as exc:
            self.detach_note.setText(f"Could not run the graph: {exc}")
            return
        self.detach_view.show_result(r)
        code = r.code()
        self.detach_code_section.show_code(
            code, tuple(i for i, line in enumerate(code) if "detach" in line))
        self.detach_buttons[r.detached].setChecked(True)

    # ------------------------------------------------------------------ events
    def _on_size_changed(self, *_) -> None:
        self._show_sizes()
        self._measure_timer.start()

    def _on_detach_changed(self, *_) -> None:
        self._refresh_detach()

    def _on_detach_clicked(self, index: int) -> None:
        """Radio buttons, not a bindable control: a choice is one undo step, never merged."""
        choice = CHOICES[index]
        if choice != self.settings.detach:
            self.ctx.push(SetFieldCommand(self.settings, "detach", choice, merge=False,
                                          label=f"detach: {TITLES[choice]}"))

    def set_presenting(self, on: bool, scale: float = 1.0) -> None:
        """The full table folds into the strip (the declaration says so); its key rows stay on
        screen as the plot's readout."""
        super().set_presenting(on, scale)
        self.plot_section.set_presenting(on, scale)
        self.detach_view.set_presenting(on)

    def _on_tab_changed(self, _index: int) -> None:
        """The other tab needs other room: while presenting, have the scene fitted again
        (what the last tab folded to fit comes back; this one's extras may fold)."""
        presentation = getattr(self.window(), "presentation", None)
        if self.presenting and presentation is not None and presentation.active:
            QTimer.singleShot(0, presentation.refit)

    def teardown(self) -> None:
        self._measure_timer.stop()
        self._poll_timer.stop()
        # A measurement still running finishes on its own; its result is dropped.
        self._pool.shutdown(wait=False, cancel_futures=True)
        super().teardown()

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.plot_section.apply_theme(theme)
        self.detach_view.apply_theme(theme)
        for code in (self.memory_code, self.detach_code):
            code.set_theme(theme)
