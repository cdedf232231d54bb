"""Nothing the user does may crash the app: every uncaught exception (in a slot, a timer, a
worker thread) is logged to a rotating file and shown in a non-modal bar with "Copy details",
and the app keeps running."""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, QStandardPaths, Qt, Signal
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QPushButton, QToolBar, QWidget

log = logging.getLogger("gradviz")

LOG_BYTES = 1_000_000
LOG_BACKUPS = 3


def log_dir() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".gradviz") / "logs"


def setup_file_logging(directory: Path | None = None) -> Path | None:
    """A rotating log (1 MB × 3) in the user's data directory; None if it cannot be written."""
    directory = directory or log_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "gradviz.log"
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=LOG_BYTES,
                                                       backupCount=LOG_BACKUPS, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    if not any(isinstance(h, logging.handlers.RotatingFileHandler)
               and getattr(h, "baseFilename", None) == str(path) for h in root.handlers):
        root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    return path


class QtErrorBar(QToolBar):
    """A thin bar at the top of the window: what went wrong, "Copy details", "Dismiss"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Errors", parent)
        self.setObjectName("error-bar")
        self.setMovable(False)
        self.setFloatable(False)
        self.message = QLabel()
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_button = QPushButton("Copy details")
        self.dismiss_button = QPushButton("Dismiss")
        self.addWidget(self.message)
        self.addWidget(self.copy_button)
        self.addWidget(self.dismiss_button)
        self.setStyleSheet("QToolBar#error-bar { background: #FBE3DF; border-bottom: 2px solid "
                           "#CC3311; } QLabel { color: #5A1208; padding: 0 8px; }")
        self.details = ""
        self.count = 0
        self.copy_button.clicked.connect(self.copy_details)
        self.dismiss_button.clicked.connect(self.hide)
        self.hide()

    def show_error(self, summary: str, details: str) -> None:
        self.count += 1
        self.details = details
        suffix = f" ({self.count} errors so far)" if self.count > 1 else ""
        self.message.setText(f"Something went wrong, but your work is safe: {summary}{suffix}. "
                             "GradViz keeps running.")
        self.show()

    def copy_details(self) -> None:
        QApplication.clipboard().setText(self.details)


class _Relay(QObject):
    """Moves reports from any thread to the GUI thread."""

    report = Signal(str, str)


class ExceptionReporter:
    """Installs ``sys.excepthook`` and ``threading.excepthook``; ``uninstall`` restores them."""

    def __init__(self, window: QMainWindow, log_path: Path | None = None) -> None:
        self.bar = QtErrorBar(window)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.bar)
        self.log_path = log_path
        self.relay = _Relay()
        self.relay.report.connect(self.bar.show_error)
        self._old_hook = sys.excepthook
        self._old_thread_hook = threading.excepthook
        self.reports: list[str] = []

    def install(self) -> ExceptionReporter:
        sys.excepthook = self._hook
        threading.excepthook = self._thread_hook
        return self

    def uninstall(self) -> None:
        sys.excepthook = self._old_hook
        threading.excepthook = self._old_thread_hook

    def _hook(self, kind: type[BaseException], exc: BaseException,
              tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self._old_hook(kind, exc, tb)
            return
        details = "".join(traceback.format_exception(kind, exc, tb))
        log.error("uncaught exception\n%s", details)
        summary = f"{kind.__name__}: {exc}"[:200]
        self.reports.append(summary)
        if self.log_path is not None:
            details += f"\n(logged in {self.log_path})"
        self.relay.report.emit(summary, details)

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        self._hook(args.exc_type, args.exc_value, args.exc_traceback)
