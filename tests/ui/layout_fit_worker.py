"""One screen size of the layout-fit test: run the app on the current X display (an Xvfb with a
window manager, started by ``test_layout_fit.py``), walk the bundled tour in presentation mode at
every scale and every panel in normal mode, maximized, and write what does not fit as JSON.

    DISPLAY=:N python tests/ui/layout_fit_worker.py --out DIR [--scales 1,1.5] [--shots]
        [--modes present,laptop]

A problem is one dict: mode, scene (1-based) or panel, scale, widget, what, px (by how much).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from layout_fit_checks import fit_problems, screen_rect  # noqa: E402

SCALES = (1.0, 1.5, 2.0, 2.5, 3.0)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, required=True, help="directory for report.json and PNGs")
    p.add_argument("--scales", default=",".join(f"{s:g}" for s in SCALES))
    p.add_argument("--modes", default="present,laptop")
    p.add_argument("--shots", default="1.5", help="scales to screenshot ('all' or a list)")
    p.add_argument("--lesson", type=Path,
                   default=ROOT / "resources" / "lessons" / "why-derivatives.gradviz")
    return p


def _window():
    from PySide6.QtCore import QStandardPaths

    from gradviz.app import build_model
    from gradviz.ui.main_window import QtMainWindow
    from gradviz.ui.panels import builtin_registry
    from gradviz.ui.qt_app import make_application
    from gradviz.ui.theme import LIGHT, apply_theme

    app = make_application(["layout-fit"])
    QStandardPaths.setTestModeEnabled(True)
    apply_theme(app, LIGHT)
    window = QtMainWindow(build_model(), builtin_registry(), None, model_factory=build_model)
    window.show()
    return window


def _wait_for(condition, ms: int = 3000) -> bool:
    from gradviz.ui.window_common import settle

    deadline = time.monotonic() + ms / 1000
    while time.monotonic() < deadline:
        settle(30)
        if condition():
            return True
    return condition()


def may_drop_secondary(window, scale: float) -> bool:
    """Issue 14: secondary controls may drop out at ×2 on 1280×720 and from ×2.5 on."""
    screen = screen_rect(window)
    small = screen.width() <= 1280 and screen.height() <= 720
    return scale >= 2.5 or (scale >= 2.0 and small)


def _shoot(window, path: Path) -> None:
    """What the screen shows (the window manager's frame included)."""
    screen = window.screen()
    screen.grabWindow(0).save(str(path), "PNG")


def walk_presentation(window, scales, shots, out: Path) -> tuple[list, list]:
    from gradviz.ui.window_common import settle

    problems, notes = [], []
    p = window.presentation
    scenes = window.lessons.scenes
    for scale in scales:
        p.set_scale(scale)
        if not p.active:
            p.start()
            _wait_for(lambda: window.geometry().size() == screen_rect(window).size())
        for index in range(len(scenes)):
            p.go_to_scene(index)
            settle(60)
            where = {"mode": "present", "scene": index + 1, "scale": scale,
                     "panels": list(scenes[index].panels)}
            found = fit_problems(window, list(scenes[index].panels), presenting=True)
            problems += [where | f for f in found]
            hidden = p.hidden_note
            if hidden:
                notes.append(where | {"hidden": hidden})
                if not may_drop_secondary(window, scale):
                    problems.append(where | {"widget": "presentation-status", "px": 0,
                                             "what": f"folded to fit: {hidden}"})
            if shots == "all" or f"{scale:g}" in shots:
                _shoot(window, out / f"scene{index + 1:02d}-x{scale:g}.png")
    p.stop()
    settle(100)
    return problems, notes


def walk_panels(window, out: Path, shots: bool) -> list:
    """Normal mode, maximized: each panel raised in its dock area, as a student would."""
    from gradviz.ui.window_common import settle

    window.reset_layout()
    window.showMaximized()
    _wait_for(lambda: window.isMaximized())
    settle(200)
    problems = []
    for name in window.docks:
        window.show_panel(name)
        settle(80)
        found = fit_problems(window, [name], presenting=False)
        problems += [{"mode": "laptop", "panel": name} | f for f in found]
        if shots:
            _shoot(window, out / f"laptop-{name}.png")
    return problems


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    window = _window()
    _wait_for(window.isVisible)
    if not window.lessons.load(args.lesson, as_copy=True):
        print(f"could not open {args.lesson}", file=sys.stderr)
        return 2
    scales = [float(s) for s in args.scales.split(",") if s]
    shots = args.shots.split(",") if args.shots != "all" else "all"
    modes = args.modes.split(",")
    started = time.monotonic()
    report = {"screen": [screen_rect(window).width(), screen_rect(window).height()],
              "problems": [], "notes": []}
    if "present" in modes:
        problems, notes = walk_presentation(window, scales, shots, args.out)
        report["problems"] += problems
        report["notes"] += notes
    if "laptop" in modes:
        report["problems"] += walk_panels(window, args.out, bool(shots))
    report["seconds"] = round(time.monotonic() - started, 1)
    (args.out / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    window.lessons.shutdown()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
