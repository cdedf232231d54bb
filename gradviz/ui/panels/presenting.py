"""A panel's presenter layout: in presentation mode a panel keeps the sections its declaration
shows (``PanelInfo.presenter.show``: the visualization, the stepping controls) and folds those
it lists in ``fold`` (editing chrome) and its explainer header into a thin strip of toggles.

Sections are the panel's child widgets named ``section-<name>``; nothing here knows what is
inside one, so every panel gets the same behaviour from its declaration alone. A section that
is neither shown nor folded is *secondary*: it stays, but may be folded later to make the panel
fit (:meth:`QtPresenterSections.fold_secondary`). Where the kept sections go while presenting
(a row under the visualization, readouts over it) is :mod:`~gradviz.ui.panels.presenter_arrange`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSplitter,
    QToolButton,
    QWidget,
)

from gradviz.core.panel_info import Presenter
from gradviz.ui.panels.presenter_arrange import QtPresenterArrangement
from gradviz.ui.panels.readout_overlay import NO_SCALE

SECTION_PREFIX = "section-"
HEADER = "explainer"
#: The shown section that never drops out, whatever the room (with the visualization).
STEPPING = "stepping"
#: The fold strip's type, in pixels, at every scale.
STRIP_PIXELS = 13
#: A splitter shares out its room in proportion to the sizes it is given: this one is far
#: larger than any screen, so the visualization's pane takes all the others leave.
FAVOURED = 100_000
#: What the strip calls the box of readouts over the visualization once it is folded.
READOUTS = "readouts"


def section_title(name: str) -> str:
    """``"plot"`` → ``"Plot"``; ``"lr_settings"`` → ``"Lr settings"``: what a toggle reads."""
    return name.replace("_", " ").replace("-", " ").capitalize()


def _least(widget: QWidget, along: bool) -> int:
    """The room a splitter pane cannot do without, across (``along``) or down; down, wrapped
    text needs its height at the pane's width."""
    hint = widget.minimumSizeHint()
    if along:
        return max(0, hint.width())
    wrapped = widget.heightForWidth(widget.width()) if widget.hasHeightForWidth() else 0
    return max(0, hint.height(), wrapped)


def explanatory(section: QWidget) -> bool:
    """Whether a section is only text to read (a banner, a formula): labels, nothing to use."""
    if isinstance(section, QLabel):
        return True
    inside = section.findChildren(QWidget)
    return bool(inside) and all(isinstance(w, QLabel) for w in inside)


class QtFoldStrip(QWidget):
    """One thin row of toggle buttons, one per folded section: checked shows it again."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("presenter-strip")
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(4)
        self.row.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        # Chrome, not content: the strip keeps a small type at every presentation scale.
        small = QFont(self.font())
        small.setPixelSize(STRIP_PIXELS)
        self.setFont(small)
        self.setProperty(NO_SCALE, True)
        self.buttons: dict[str, QToolButton] = {}

    def add(self, name: str, target: QWidget) -> QToolButton:
        button = QToolButton()
        button.setObjectName(f"unfold-{name}")
        button.setText(section_title(name))
        button.setAccessibleName(f"Show {section_title(name).lower()}")
        button.setToolTip(f"Show or fold the {section_title(name).lower()} section")
        button.setCheckable(True)
        button.setAutoRaise(True)
        button.toggled.connect(target.setVisible)
        self.row.insertWidget(self.row.count() - 1, button)
        self.buttons[name] = button
        self.setVisible(True)
        return button

    def remove(self, name: str) -> None:
        button = self.buttons.pop(name, None)
        if button is not None:
            button.hide()
            button.deleteLater()
        self.setVisible(bool(self.buttons))

    def clear(self) -> None:
        for button in self.buttons.values():
            button.deleteLater()
        self.buttons.clear()
        self.setVisible(False)


class QtPresenterSections:
    """The presenting state of one panel: which sections it folded, and how to undo that.

    Parameters
    ----------
    panel
        The panel (its ``header``, ``spec.presenter`` and ``section-*`` children).
    strip
        Where folded sections get their toggles.
    """

    def __init__(self, panel: QWidget, strip: QtFoldStrip) -> None:
        self.panel = panel
        self.strip = strip
        self.folded: dict[str, QWidget] = {}
        self.dropped: list[str] = []
        self.splitters: list[tuple[QSplitter, list[int]]] = []
        self.arrangement = QtPresenterArrangement(panel)
        self.presenting = False

    @property
    def presenter(self) -> Presenter:
        return getattr(self.panel.spec, "presenter", None) or Presenter()

    def sections(self) -> dict[str, QWidget]:
        """The panel's sections by name, in the order they were built (first wins)."""
        found: dict[str, QWidget] = {}
        for widget in self.panel.findChildren(QWidget):
            name = widget.objectName()
            if name.startswith(SECTION_PREFIX):
                found.setdefault(name.removeprefix(SECTION_PREFIX), widget)
        return found

    def start(self) -> None:
        if self.presenting:
            return
        self.presenting = True
        sections = self.sections()
        # The desktop's splitter sizes, before folding hides panes (a hidden pane's size is 0).
        self.splitters = [(sp, sp.sizes()) for sp in self.panel.findChildren(QSplitter)]
        # The explainer needs no toggle: the caption says what the scene shows.
        if not self.panel.header.isHidden():
            self.panel.header.setVisible(False)
            self.folded[HEADER] = self.panel.header
        for name in self.presenter.fold:
            if name in sections:
                self._fold(name, sections[name])
        self.arrangement.apply(self.visualization(), self.presenter.overlay, self.presenter.row)
        self.favour_visualization()

    def stop(self) -> None:
        if not self.presenting:
            return
        self.presenting = False
        self.folded.pop(READOUTS, None)  # the box goes with the arrangement: never shown again
        self.arrangement.restore()
        for widget in self.folded.values():
            widget.setVisible(True)
        self.folded.clear()
        self.dropped.clear()
        self.strip.clear()
        for splitter, sizes in self.splitters:
            if all(sizes):
                splitter.setSizes(sizes)
            else:  # never laid out on the desktop: each pane as large as it would like
                along = splitter.orientation() == Qt.Orientation.Horizontal
                splitter.setSizes([splitter.widget(i).sizeHint().width() if along
                                   else splitter.widget(i).sizeHint().height()
                                   for i in range(splitter.count())])
        self.splitters.clear()

    def favour_visualization(self) -> None:
        """In every splitter that holds the visualization (the first section ``show`` names),
        the other panes shrink to the least they need at their width now and the
        visualization takes the rest (again after a resize: wrapped text may need more)."""
        if not self.presenting:
            return
        view = self.visualization()
        saved = {id(sp) for sp, _ in self.splitters}
        child = view
        while child is not None and child is not self.panel:
            splitter = child.parentWidget()
            if isinstance(splitter, QSplitter):
                if id(splitter) not in saved:
                    self.splitters.append((splitter, splitter.sizes()))
                along = splitter.orientation() == Qt.Orientation.Horizontal
                sizes = [FAVOURED if splitter.widget(i) is child
                         else _least(splitter.widget(i), along) for i in range(splitter.count())]
                splitter.setSizes(sizes)
            child = splitter

    def visualization(self) -> QWidget | None:
        """The first section ``show`` names that the panel has: its visualization."""
        sections = self.sections()
        return next((sections[n] for n in self.presenter.show if n in sections), None)

    def unfold_dropped(self) -> None:
        """Bring back what :meth:`fold_secondary` folded (the room changed: fit again)."""
        for name in self.dropped:
            widget = self.folded.pop(name, None)
            if widget is not None:
                widget.setVisible(True)
                # Its size constraints may have changed while it was hidden, and the layout
                # does not hear of that while it is: tell it now.
                widget.updateGeometry()
            self.strip.remove(name)
        self.dropped.clear()

    def _fold(self, name: str, widget: QWidget) -> None:
        if widget.isHidden():  # hidden by the panel itself (an unused mode): not ours to show
            return
        widget.setVisible(False)
        self.folded[name] = widget
        self.strip.add(name, widget)

    def secondary(self) -> list[str]:
        """Shown sections that are neither declared as shown nor nested in one that is: what
        may drop out when the panel does not fit. Explanatory text first (the caption says
        what the scene shows; a control folded is one the lecturer must unfold), then the
        rest, last built first."""
        sections = self.sections()
        keep = [sections[n] for n in self.presenter.show if n in sections]
        names = []
        for name, widget in sections.items():
            if name in self.presenter.show or name in self.folded \
                    or not widget.isVisibleTo(self.panel):  # hidden, or on another tab
                continue
            if any(k.isAncestorOf(widget) or widget.isAncestorOf(k) for k in keep):
                continue
            names.append(name)
        names.reverse()
        return sorted(names, key=lambda n: not explanatory(sections[n]))

    def fold_secondary(self, shown_too: bool = False) -> str | None:
        """Fold the next secondary section; returns its name, or None when none is left.
        ``shown_too``: when no secondary section is left, fold a shown one, last declared
        first, that is neither the visualization nor the stepping controls."""
        if not self.presenting or not self.presenter.show:
            return None  # without a declaration nothing is known to be secondary
        overlay = self.arrangement.overlay
        if overlay is not None and overlay.crowds():
            # Over its cap even in its smallest type: the readouts hide the picture they
            # explain. They fold first, whatever the scale (a toggle shows them again).
            self._fold(READOUTS, overlay)
            self.dropped.append(READOUTS)
            return READOUTS
        names = self.secondary()
        if shown_too:
            names += self.droppable_shown()
        for name in names:
            self._fold(name, self.sections()[name])
            self.dropped.append(name)
            return name
        return None

    def droppable_shown(self) -> list[str]:
        """Shown sections that may drop out at a high scale, last declared first."""
        sections = self.sections()
        view = self.visualization()
        return [n for n in reversed(self.presenter.show[1:])
                if n != STEPPING and n in sections and n not in self.folded
                and sections[n] is not view and sections[n].isVisibleTo(self.panel)
                and not (view is not None and sections[n].isAncestorOf(view))
                and not (STEPPING in sections and sections[n].isAncestorOf(sections[STEPPING]))]
