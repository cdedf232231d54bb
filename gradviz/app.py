"""The composition root: parse the command line, build and register the models, open the window."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import gradviz

_T0 = time.perf_counter()


def build_model():
    """The shared model with every sub-model registered (core never imports upward)."""
    from gradviz.core.model import AppModel

    model = AppModel()
    for sub in _submodels():
        model.register(sub)
    return model


def _submodels() -> list:
    """One instance of every sub-model, in registration order. Sub-models that share state get
    the shared sub-model passed in (the mini network is one object, never copies)."""
    from gradviz.core.mininet import MiniNetwork

    mininet = MiniNetwork()
    subs: list = [mininet]
    # Panels' sub-models are added below, one line each.
    from gradviz.graph import Graph
    subs.append(Graph())  # the node editor's computational graph
    from gradviz.core.tangent import TangentModel
    subs.append(TangentModel())  # tangent slope + 1-D descent
    return subs


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="gradviz",
        description="GradViz: touch derivatives and PyTorch autograd.",
    )
    p.add_argument("lesson", nargs="?", metavar="LESSON", help="a .gradviz lesson file to open")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    p.add_argument("--list-panels", action="store_true", help="list the panels and exit")
    p.add_argument("--screenshot", metavar="PNG", type=Path,
                   help="render the window (or --panel) to PNG once fully painted, then exit")
    p.add_argument("--panel", metavar="NAME", help="with --screenshot: render only this panel")
    p.add_argument("--selftest", action="store_true",
                   help="open every panel, prove OpenGL and autograd work, report, exit 0 or 1")
    p.add_argument("--quit-after-first-frame", action="store_true", help=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.version:
        print(f"gradviz {gradviz.__version__}")
        return 0
    if args.panel and not args.screenshot:
        parser.error("--panel goes with --screenshot")
    if args.screenshot and args.selftest:
        parser.error("choose one of --screenshot and --selftest")
    if args.screenshot and args.screenshot.suffix.lower() != ".png":
        parser.error(f"--screenshot writes PNG: give a file name ending in .png, not {args.screenshot}")
    if args.lesson is not None:
        lesson = Path(args.lesson)
        if not lesson.is_file():
            parser.error(f"no such lesson file: {lesson}")
        parser.error("opening lesson files is not available in this version of GradViz yet")

    from gradviz.ui.panels import builtin_registry

    registry = builtin_registry()
    if args.list_panels:
        for spec in registry.specs():
            print(f"{spec.name:14} {spec.title}")
        return 0
    if args.panel and args.panel not in registry:
        parser.error(f"unknown panel {args.panel!r}; choose one of: {', '.join(registry.names())}")

    from gradviz.ui.qt_app import ensure_display_or_offscreen, make_application

    headless = ensure_display_or_offscreen()
    app = make_application([sys.argv[0]])
    from PySide6.QtCore import QSettings, QStandardPaths

    from gradviz.ui.main_window import QtMainWindow
    from gradviz.ui.theme import LIGHT, apply_theme

    apply_theme(app, LIGHT)
    batch = bool(args.screenshot or args.selftest or args.quit_after_first_frame)
    if batch:
        # Batch runs ignore saved layouts and never show dialogs: they cannot hang or come out
        # blank because of something a user left behind.
        QStandardPaths.setTestModeEnabled(True)
        settings = None
    else:
        settings = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                             "GradViz", "GradViz")
    model = build_model()
    window = QtMainWindow(model, registry, settings)

    if headless and (args.selftest or args.screenshot):
        print("gradviz: no display found; using Qt's offscreen platform (no OpenGL)",
              file=sys.stderr)
    if args.screenshot:
        from gradviz.ui.cli_actions import take_screenshot

        return take_screenshot(window, args.screenshot, args.panel)
    if args.selftest:
        from gradviz.ui.cli_actions import run_selftest

        return run_selftest(window)
    if args.quit_after_first_frame:
        _quit_after_first_frame(window)
    else:
        from gradviz.ui.errors import ExceptionReporter, setup_file_logging

        # From here on an exception in any slot, timer or worker is logged and shown in a
        # non-modal bar; the app keeps running.
        ExceptionReporter(window, setup_file_logging()).install()
    window.show()
    return app.exec()


def _quit_after_first_frame(window) -> None:
    """For the start-up benchmark: report when the window has painted once, then exit at once."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class _FirstPaint(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint:
                window.removeEventFilter(self)
                QTimer.singleShot(0, _report)
            return False

    def _report():
        print(f"FIRST_FRAME {time.perf_counter() - _T0:.4f}", flush=True)
        os._exit(0)

    window._first_paint_filter = _FirstPaint(window)
    window.installEventFilter(window._first_paint_filter)
