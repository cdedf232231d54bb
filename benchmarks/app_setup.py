"""The Qt set-up every widget benchmark starts from, and the clean-up between its rows.

A benchmark must measure what the app draws, so the ``QApplication`` is made the way
``gradviz.app.main`` makes it: the display check, ``make_application`` and the light theme.
The theme matters more than it looks: ``apply_theme`` turns on pyqtgraph's global
``antialias`` option, and an antialiased 2.5 px curve costs 20-50× an aliased one. Before each
module ran in its own process, only the modules after ``bench_derivatives`` (which applied the
theme) drew antialiased plots, so one row read 13 ms alone and 313 ms in a full run.
"""

from __future__ import annotations

import gc
import sys


def application():
    """The ``QApplication``, configured as the app configures it (theme included)."""
    from gradviz.ui.qt_app import ensure_display_or_offscreen, make_application
    from gradviz.ui.theme import LIGHT, apply_theme

    ensure_display_or_offscreen()
    app = make_application([sys.argv[0]])
    apply_theme(app, LIGHT)
    return app


def shown_panel(panel_class, size: tuple[int, int] = (1300, 850)):
    """A panel on a fresh model, shown at ``size`` and given time to lay out and paint."""
    from gradviz.app import build_model
    from gradviz.ui.window_common import settle
    from gradviz.ui.registry import PanelContext

    panel = panel_class(PanelContext(model=build_model()))
    panel.resize(*size)
    panel.show()
    settle(200)
    return panel


def dispose(*widgets) -> None:
    """Tear ``widgets`` down for good (teardown, close, delete) and collect the garbage, so the
    next row in the same process starts without hidden windows, timers or pending deletes."""
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    for widget in widgets:
        teardown = getattr(widget, "teardown", None)
        if teardown is not None:
            teardown()
        widget.close()
        widget.deleteLater()
    # deleteLater only posts the delete; deliver it now rather than during the next row's timing.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()
    gc.collect()
