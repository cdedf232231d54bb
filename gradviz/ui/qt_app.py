"""Creating the ``QApplication`` the way every GradViz process needs it."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

from gradviz.core.resources import resource_path


def prepare_qt() -> None:
    """Attributes that must be set before the ``QApplication`` exists.

    pyqtgraph caches compiled shader programs globally, so every GL widget must share one
    context family; without this a second ``GLViewWidget`` (or the 3D dock floated out of the
    window) draws nothing.
    """
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    # Fractional scale factors (125 %, 150 %) keep their exact value instead of rounding,
    # so plots and node labels are neither blurry nor oversized on high-DPI laptops.
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)


def ensure_display_or_offscreen() -> bool:
    """Fall back to the offscreen platform when there is no display at all.

    Returns True when it did (OpenGL is then unavailable).
    """
    if os.environ.get("QT_QPA_PLATFORM"):
        return False
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY")
                                                 or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        return True
    return False


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        prepare_qt()
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("GradViz")
    app.setOrganizationName("GradViz")
    app.setApplicationDisplayName("GradViz")
    icon = resource_path("icons", "gradviz.svg")
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    return app
