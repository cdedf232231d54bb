"""The base class of every dockable panel: an explainer header, a body, clean teardown,
theme hooks, the stepping protocol and the presenting hook."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from gradviz.ui.binding import Binding, bind
from gradviz.ui.connections import disconnect_all
from gradviz.ui.panels.presenting import QtFoldStrip, QtPresenterSections
from gradviz.ui.registry import PanelContext, PanelSpec
from gradviz.ui.theme import Theme
from gradviz.ui.widgets.fitting_table import QtFittingTable
from gradviz.ui.widgets.plot_setup import scale_legends
from gradviz.ui.widgets.wrap_row import QtWrapRow


class ExplainerHeader(QFrame):
    """Two short lines in our own words: what the panel shows, and something to try."""

    def __init__(self, explainer: str, try_this: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("explainer")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(2)
        self.explainer = QLabel(explainer)
        self.explainer.setWordWrap(True)
        self.try_this = QLabel(f"<b>Try this:</b> {try_this}" if try_this else "")
        self.try_this.setWordWrap(True)
        self.try_this.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.explainer)
        if try_this:
            layout.addWidget(self.try_this)
        self.setFrameShape(QFrame.Shape.StyledPanel)


class QtPanel(QWidget):
    """Subclass, set the class attributes, build widgets into ``self.body_layout`` and connect
    model events with :meth:`listen` (so :meth:`teardown` can disconnect them all).

    Stepping protocol: panels with steps (animations, descent, scenes) override
    :meth:`can_step` and :meth:`step`; the window routes clicker keys to them.
    """

    explainer: ClassVar[str] = ""
    try_this: ClassVar[str] = ""

    def __init__(self, ctx: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = ctx.model
        self.spec = ctx.spec or spec_of(type(self))
        self.setObjectName(f"panel-{self.panel_name}")
        self._connections: list[tuple[Any, Callable]] = []
        #: Redraws put off while hidden (None: shown, or never shown), see :meth:`when_shown`.
        self._waiting: dict[Callable, tuple] | None = None
        self._pausable: list[QTimer] = []
        self._paused: list[QTimer] = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        outer.setSpacing(6)
        self.fold_strip = QtFoldStrip()
        self.fold_strip.setVisible(False)
        outer.addWidget(self.fold_strip)
        self.header = ExplainerHeader(self.explainer, self.try_this)
        outer.addWidget(self.header)
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.body, 1)
        self.presenter_sections = QtPresenterSections(self, self.fold_strip)
        # The C++ object can die before Python collects the wrapper: disconnect then too,
        # through a callable that does not reference self.
        conns = self._connections
        self.destroyed.connect(lambda *_: disconnect_all(conns))

    @property
    def panel_name(self) -> str:
        """The registry name, from the panel's one declaration (its ``PanelInfo``)."""
        return self.spec.name

    @property
    def title(self) -> str:
        return self.spec.title

    # -- views a scene names --------------------------------------------------------------
    def view_name(self) -> str:
        """The name a scene records for what the panel shows: its own, or for a panel with
        pages the name of the page it is on (the graph editor's ``"traced"``)."""
        return self.panel_name

    def show_view(self, name: str) -> None:
        """Show what :meth:`view_name` called ``name`` (a panel with pages turns to that page,
        its own name meaning its first page); nothing to do for a panel of one page."""

    # -- model events -------------------------------------------------------------------
    def listen(self, signal: Any, slot: Callable, when_shown: bool = False) -> None:
        """Connect a model (psygnal) signal and remember it for :meth:`teardown`;
        ``when_shown``: the slot only redraws, see :meth:`when_shown`."""
        if when_shown:
            slot = self.when_shown(slot)
        signal.connect(slot)
        self._connections.append((signal, slot))

    # -- hidden panels wait -----------------------------------------------------------------
    def when_shown(self, redraw: Callable) -> Callable:
        """``redraw`` as a slot that runs at once while the panel is shown — or was never shown:
        a panel built on its own — and, while a panel that was shown is hidden (a scene without
        it, a tab behind another), once when it is shown again, just before it is painted.
        Calls in between coalesce: the last arguments win. A scene change thereby redraws only
        what is on screen, however many sub-models it loads."""
        def slot(*args: Any) -> None:
            if self._waiting is None:
                redraw(*args)
            else:
                self._waiting.pop(redraw, None)  # re-queued at the end: the order of last calls
                self._waiting[redraw] = args
        return slot

    def pause_when_hidden(self, timer: QTimer) -> None:
        """Stop a running ``timer`` while the panel is hidden (a measurement, an animation of
        nothing on screen) and start it again when the panel is shown."""
        self._pausable.append(timer)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt's name
        super().hideEvent(event)
        if self._waiting is None:
            self._waiting = {}
        for timer in self._pausable:
            if timer.isActive():
                timer.stop()
                self._paused.append(timer)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        waiting, self._waiting = self._waiting, None
        for redraw, args in (waiting or {}).items():
            redraw(*args)
        paused, self._paused = self._paused, []
        for timer in paused:
            timer.start()

    def bind(self, widget: QWidget, model: Any, field: str) -> Binding:
        """Bind a control to ``model.<field>`` through the window's undo stack; the model
        connection is disconnected in :meth:`teardown` (see :func:`gradviz.ui.binding.bind`)."""
        return bind(widget, model, field, push=self.ctx.push, listen=self.listen)

    def teardown(self) -> None:
        """Disconnect from the model and stop timers; the window calls it before deleting."""
        disconnect_all(self._connections)

    # -- theme --------------------------------------------------------------------------
    def apply_theme(self, theme: Theme) -> None:
        """Restyle plots and custom-painted items (widgets follow the application palette)."""

    # -- stepping protocol ---------------------------------------------------------------
    def can_step(self) -> bool:
        return False

    def step(self, direction: int) -> bool:
        """Advance (+1) or go back (-1) one step; return whether anything happened."""
        return False

    # -- fitting its dock ----------------------------------------------------------------
    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        """The height the panel cannot do without at ``width``.

        The dock's scroll area reads this as the panel's minimum height. Qt's default is the
        layout's *preferred* height for the width, so a panel with a wrapped label and a plot
        (whose preferred size is large) scrolled on a laptop although everything fitted. The
        minimum size, plus what wrapped labels and rows need beyond their own minimum at the
        width they have, is what must fit."""
        # Side by side (one table row, one row of controls) wrapped texts grow together:
        # count the largest growth at each height once.
        extra: dict[int, int] = {}
        for w in self.findChildren(QWidget):
            wraps = (isinstance(w, QLabel) and w.wordWrap()) or isinstance(w.layout(), QtWrapRow)
            if wraps and w.isVisibleTo(self) and w.width() > 0:
                top = w.mapTo(self, QPoint(0, 0)).y()
                grows = w.heightForWidth(w.width()) - w.minimumSizeHint().height()
                extra[top] = max(extra.get(top, 0), grows)
        return self.minimumSizeHint().height() + sum(extra.values())

    # -- presenting hook -----------------------------------------------------------------
    @property
    def presenting(self) -> bool:
        return self.presenter_sections.presenting

    def set_presenting(self, on: bool, scale: float = 1.0) -> None:
        """Presentation mode: keep the sections ``spec.presenter.show`` names, fold those in
        ``fold`` and the explainer header into the fold strip (``on=False`` restores all).
        Panels that lay out differently at a scale override this and call it. The legends of
        the panel's plots take the scale, as their axes do (``1.0`` when ``on`` is False), and
        its fitting tables size their columns to their text."""
        # Tables first: the presenter row shares its width by the widths they then ask for.
        for table in self.findChildren(QtFittingTable):
            table.set_presenting(on)
        if on:
            self.presenter_sections.start()
        else:
            self.presenter_sections.stop()
        scale_legends(self, scale if on else 1.0)

    def fold_for_fit(self, shown_too: bool = False) -> str | None:
        """Fold one more secondary section (neither shown nor folded by the declaration) when
        the panel does not fit; returns its name, or None when nothing more may go.
        ``shown_too``: then a shown section other than the visualization and the stepping
        controls (a high scale may drop those, issue 14)."""
        return self.presenter_sections.fold_secondary(shown_too)


def spec_of(cls: type) -> PanelSpec:
    """The declaration whose ``view`` names this panel class (for panels built without a dock,
    as tests and scripts do)."""
    from gradviz.lesson.catalog import panel_infos

    module = cls.__module__.removeprefix("gradviz.ui.panels.")
    for info in panel_infos():
        if info.view == f"{module}:{cls.__qualname__}":
            return PanelSpec.from_info(info)
    raise LookupError(f"no panel declares {cls.__module__}.{cls.__qualname__} as its view")
