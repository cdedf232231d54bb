"""What ``--screenshot`` and ``--selftest`` do once the window exists."""

from __future__ import annotations

import time
from pathlib import Path

from gradviz.ui.main_window import QtMainWindow
from gradviz.ui.render import grab, picture_stats
from gradviz.ui.window_common import settle

SCREENSHOT_SIZE = (1600, 1000)


def _show(window: QtMainWindow) -> None:
    window.resize(*SCREENSHOT_SIZE)
    window.show()
    settle(150)


def take_screenshot(window: QtMainWindow, path: Path, panel: str | None = None) -> int:
    """Render the window (or one panel, alone in the window) to ``path``; returns an exit code."""
    _show(window)
    if panel is not None:
        for name, dock in window.docks.items():
            if name != panel:
                dock.hide()
        window.show_panel(panel)
        settle(300)
        target = window.docks[panel]
    else:
        for dock in window.docks.values():
            if dock.isVisible():
                dock.ensure_panel()
        settle(300)
        target = window
    image = grab(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(path), "PNG"):
        print(f"gradviz: could not write {path}")
        return 1
    stats = picture_stats(image)
    print(f"wrote {path} ({stats.width}×{stats.height}, {stats.colours} colours)")
    return 0


def run_selftest(window: QtMainWindow) -> int:
    """Open and render every panel, prove OpenGL draws, run one real backward(); report."""
    import torch

    from gradviz.ui.gl_info import gl_renderer
    from gradviz.ui.gl_probe import probe_opengl

    results: list[tuple[bool, str]] = []
    _show(window)
    for name in window.registry.names():
        t0 = time.perf_counter()
        try:
            window.show_panel(name)
            settle(150)
            stats = picture_stats(grab(window.docks[name]))
            ok = not stats.blank
            results.append((ok, f"panel {name}: {stats.width}×{stats.height}, {stats.colours} "
                                f"colours, {1000 * (time.perf_counter() - t0):.0f} ms"
                                + ("" if ok else " — BLANK")))
        except Exception as exc:
            results.append((False, f"panel {name}: {type(exc).__name__}: {exc}"))
    ok, message = probe_opengl()
    results.append((ok, f"OpenGL: {message} [{gl_renderer()}]"))
    try:
        x = torch.tensor(3.0, requires_grad=True)
        (x**2).backward()
        good = x.grad is not None and abs(x.grad.item() - 6.0) < 1e-6
        results.append((good, f"autograd: d(x²)/dx at 3 = {x.grad.item():g} (expected 6)"))
    except Exception as exc:
        results.append((False, f"autograd: {exc}"))
    for good, line in results:
        print(("ok    " if good else "FAIL  ") + line)
    failed = sum(not g for g, _ in results)
    print(f"selftest: all {len(results)} checks passed" if not failed
          else f"selftest: {failed} of {len(results)} checks FAILED")
    return 0 if failed == 0 else 1


def export_handouts(window: QtMainWindow, args) -> int:
    """``--export-scenes``: every scene as PNG (and the PDF); returns an exit code."""
    from gradviz.ui.handouts import HandoutError, export_scenes

    try:
        only = None if args.scene is None else args.scene - 1
        result = export_scenes(window, args.export_scenes, args.size, args.scale, args.pdf, only)
    except (HandoutError, OSError) as exc:
        print(f"gradviz: {exc}")
        return 1
    for note in result.notes:
        print(f"note: {note}")
    made = f"{len(result.pictures)} scene(s) into {args.export_scenes}"
    print(f"wrote {made}" + (f" and {result.pdf}" if result.pdf else "")
          + f" in {result.seconds:.1f} s")
    return 0


def take_presenting_screenshot(window: QtMainWindow, path: Path, scale: float) -> int:
    """``--present --screenshot``: the current scene as presentation mode shows it on this
    screen (full screen where a window manager allows it)."""
    window.show()
    settle(100)
    presentation = window.presentation
    presentation.set_scale(scale)
    presentation.start()
    settle(400)
    image = grab(window)
    presentation.stop()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(path), "PNG"):
        print(f"gradviz: could not write {path}")
        return 1
    print(f"wrote {path} ({image.width()}×{image.height()}, presenting at ×{scale:g})")
    return 0
