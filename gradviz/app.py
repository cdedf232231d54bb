"""The composition root: parse the command line, build and register the models, open the window."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

from gradviz._version import __version__

_T0 = time.perf_counter()


def build_model():
    """The shared model with the sub-models of every declared panel (core never imports upward)."""
    from gradviz.lesson.catalog import build_model as build

    return build()


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
    p.add_argument("--scene", metavar="N", type=int,
                   help="with LESSON: show scene N (1 = the first) and only its panels")
    p.add_argument("--export-scenes", metavar="DIR", type=Path,
                   help="with LESSON: write every scene as DIR/scene-01.png, … and exit")
    p.add_argument("--size", metavar="WxH", default="1920x1080",
                   help="with --export-scenes: picture size in pixels (default 1920x1080)")
    p.add_argument("--scale", metavar="S", type=float, default=1.5,
                   help="presentation scale for --export-scenes and --present (1 to 3)")
    p.add_argument("--pdf", metavar="FILE", type=Path,
                   help="with --export-scenes: also write the handout as a multi-page PDF")
    p.add_argument("--present", action="store_true",
                   help="with LESSON: start in presentation mode (with --screenshot: render the "
                        "scene as presenting shows it on this screen, then exit)")
    p.add_argument("--set", metavar="MODEL.FIELD=VALUE", action="append", default=[],
                   help="change one value after start-up (repeatable), e.g. --set mininet.w=1.5")
    p.add_argument("--quit-after-first-frame", action="store_true", help=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> int:
    # Start-up allocates hundreds of thousands of long-lived objects (torch, Qt wrappers, the
    # models); the cyclic collector walking them again and again cost ~0.3 s of a 2 s start.
    # It comes back, with those objects frozen out of its way, once the window is up.
    gc.disable()
    try:
        return _main(argv)
    finally:
        _collect_normally()


def _collect_normally() -> None:
    """Everything alive now lives as long as the app: keep the collector away from it."""
    gc.freeze()
    gc.enable()


def _main(argv: list[str] | None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.version:
        print(f"gradviz {__version__}")
        return 0
    assignments = _check_arguments(parser, args)

    from gradviz.ui.panels import builtin_registry

    registry = builtin_registry()
    if args.list_panels:
        for spec in registry.specs():
            print(f"{spec.name:14} {spec.title}")
        return 0
    if args.panel and args.panel not in registry:
        parser.error(f"unknown panel {args.panel!r}; choose one of: {', '.join(registry.names())}")
    return _run_window(args, registry, assignments)


def _check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> list:
    """Refuse contradictory or impossible options (exit 2 with a message); the --set list."""
    if args.panel and not args.screenshot:
        parser.error("--panel goes with --screenshot")
    if args.screenshot and args.selftest:
        parser.error("choose one of --screenshot and --selftest")
    if args.screenshot and args.screenshot.suffix.lower() != ".png":
        parser.error(f"--screenshot writes PNG: give a file name ending in .png, not {args.screenshot}")
    if args.lesson is not None and not Path(args.lesson).is_file():
        parser.error(f"no such lesson file: {args.lesson}")
    if args.scene is not None and args.lesson is None:
        parser.error("--scene goes with a LESSON file")
    if (args.export_scenes or args.present) and args.lesson is None:
        parser.error("--export-scenes and --present go with a LESSON file")
    if args.pdf and not args.export_scenes:
        parser.error("--pdf goes with --export-scenes")
    if args.pdf and args.pdf.suffix.lower() != ".pdf":
        parser.error(f"--pdf writes PDF: give a file name ending in .pdf, not {args.pdf}")
    if not 1.0 <= args.scale <= 3.0:
        parser.error(f"--scale must lie in 1–3, not {args.scale:g}")
    if args.export_scenes and (args.screenshot or args.selftest):
        parser.error("--export-scenes runs on its own: drop --screenshot/--selftest")
    from gradviz.ui.handouts import parse_size  # Qt imports only; no window yet

    try:
        args.size = parse_size(args.size)
    except ValueError as exc:
        parser.error(str(exc))
    try:
        return [_parse_assignment(text) for text in args.set]
    except ValueError as exc:
        parser.error(str(exc))


def _run_window(args: argparse.Namespace, registry, assignments: list) -> int:
    from gradviz.ui.qt_app import ensure_display_or_offscreen, make_application

    headless = ensure_display_or_offscreen()
    app = make_application([sys.argv[0]])
    from PySide6.QtCore import QSettings, QStandardPaths

    from gradviz.ui.main_window import QtMainWindow
    from gradviz.ui.theme import LIGHT, apply_theme

    apply_theme(app, LIGHT)
    batch = bool(args.screenshot or args.selftest or args.quit_after_first_frame
                 or args.export_scenes)
    if batch:
        # Batch runs ignore saved layouts and never show dialogs: they cannot hang or come out
        # blank because of something a user left behind.
        QStandardPaths.setTestModeEnabled(True)
        settings = None
    else:
        settings = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                             "GradViz", "GradViz")
    window = QtMainWindow(build_model(), registry, settings, model_factory=build_model)
    if not batch:
        return _run_interactive(app, window, args, assignments)
    if not args.quit_after_first_frame:  # (the start-up benchmark times an interactive start)
        _collect_normally()  # batch work (exports, screenshots) allocates as it goes
    problem = _prepare_lesson(window, args, assignments)
    if problem:
        print(f"gradviz: {problem}", file=sys.stderr)
        return 2
    if headless and (args.selftest or args.screenshot):
        print("gradviz: no display found; using Qt's offscreen platform (no OpenGL)",
              file=sys.stderr)
    if args.export_scenes:
        from gradviz.ui.cli_actions import export_handouts

        return export_handouts(window, args)
    if args.screenshot:
        from gradviz.ui.cli_actions import take_presenting_screenshot, take_screenshot

        if args.present:
            return take_presenting_screenshot(window, args.screenshot, args.scale)
        return take_screenshot(window, args.screenshot, args.panel)
    if args.selftest:
        from gradviz.ui.cli_actions import run_selftest

        return run_selftest(window)
    _quit_after_first_frame(window)
    window.show()
    return app.exec()


def _run_interactive(app, window, args: argparse.Namespace, assignments: list) -> int:
    from PySide6.QtCore import QTimer

    from gradviz.ui.errors import ExceptionReporter, setup_file_logging

    # From here on an exception in any slot, timer or worker is logged and shown in a
    # non-modal bar; the app keeps running.
    ExceptionReporter(window, setup_file_logging()).install()
    window.show()
    QTimer.singleShot(0, _collect_normally)  # after the first frame
    QTimer.singleShot(0, lambda: _start_interactive(window, args, assignments))
    if args.present:
        def present() -> None:
            window.presentation.set_scale(args.scale)
            window.presentation.start()

        QTimer.singleShot(0, present)
    return app.exec()


def _parse_assignment(text: str) -> tuple[str, str, object]:
    """``model.field=value`` → (model, field, value); the value is JSON, else plain text."""
    import json

    target, sep, raw = text.partition("=")
    key, dot, field = target.strip().partition(".")
    if not sep or not dot or not key or not field:
        raise ValueError(f"--set needs MODEL.FIELD=VALUE, not {text!r}")
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    return key, field, value


def _apply_assignments(model, assignments) -> str | None:
    """Set the values through each sub-model's own validation; an error message or None."""
    from gradviz.core.model import StateError

    for key, field, value in assignments:
        sub = model.get(key)
        if sub is None:
            return f"--set: no model named {key!r} (models: {', '.join(model.keys())})"
        state = sub.to_dict()
        if field not in state:
            return f"--set: {key} has no field {field!r}"
        state[field] = value
        try:
            sub.from_dict(state)
        except (StateError, ValueError, TypeError) as exc:
            return f"--set {key}.{field}: {exc}"
    return None


def _prepare_lesson(window, args, assignments) -> str | None:
    """Open the lesson, go to the scene, apply --set; an error message or None."""
    lessons = window.lessons
    if args.lesson is not None and not lessons.load(args.lesson):
        errors = getattr(lessons.dialogs, "errors", None)
        return errors[-1][1] if errors else f"could not open {args.lesson}"
    if args.scene is not None:
        count = len(lessons.scenes) if lessons.scenes is not None else 0
        if not 1 <= args.scene <= count:
            return f"--scene {args.scene}: the lesson has {count} scene(s)"
        if not lessons.go_to_scene(args.scene - 1, exclusive=True):
            return f"scene {args.scene} could not be shown"
    return _apply_assignments(window.model, assignments)


def _start_interactive(window, args, assignments) -> None:
    """Once the window is up: offer recovery after a crash, then open the lesson."""
    restored = window.lessons.offer_recovery()
    if restored and args.lesson is not None:
        window.show_status(f"Restored unsaved work; {args.lesson} was not opened")
        return
    problem = _prepare_lesson(window, args, assignments)
    if problem:
        window.show_status(problem, 15000)
        print(f"gradviz: {problem}", file=sys.stderr)


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
