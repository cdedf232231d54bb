"""Tabs that ask only for the room of the page on show.

A ``QTabWidget`` is as large as its largest page, so a panel whose second tab is tall scrolls
on a laptop even while its short first tab is on screen. Pages that are not on show get an
``Ignored`` size policy, which Qt's stacked layout leaves out of the tab widget's size.
"""

from __future__ import annotations

from PySide6.QtWidgets import QSizePolicy, QTabWidget

_SHOWN = QSizePolicy.Policy.Preferred
_HIDDEN = QSizePolicy.Policy.Ignored


def size_to_current_page(tabs: QTabWidget) -> QTabWidget:
    """Make ``tabs`` ask for its current page's room only, now and whenever the tab changes;
    returns ``tabs``."""

    def follow(index: int) -> None:
        for i in range(tabs.count()):
            policy = _SHOWN if i == index else _HIDDEN
            tabs.widget(i).setSizePolicy(policy, policy)
        tabs.updateGeometry()

    tabs.currentChanged.connect(follow)
    follow(tabs.currentIndex())
    return tabs
