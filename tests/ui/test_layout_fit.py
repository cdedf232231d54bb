"""Every scene of the bundled tour fits real projector and laptop screens at every presentation
scale, and every panel fits a 1366×768 laptop, maximized (issue 14: "Fit", "Laptop fit").

Each screen size gets its own Xvfb with a window manager (openbox: without one, full screen and
maximize do nothing and the window keeps its old size), and the app runs in a subprocess on it
(``layout_fit_worker.py``; what "fits" means is in ``layout_fit_checks.py``). Screenshots and
``problems.txt`` land in ``layout-fit*/WxH`` under pytest's temporary directory
(``pytest --basetemp=DIR`` to keep them in DIR).

For a quick local run, ``LAYOUT_FIT_SIZES=1280x720,1366x768`` limits the screen sizes; without
it (as in CI) all four run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

WORKER = Path(__file__).with_name("layout_fit_worker.py")
ROOT = Path(__file__).resolve().parents[2]
ALL_SIZES = ((1280, 720), (1366, 768), (1920, 1080), (2560, 1440))


def chosen_sizes() -> tuple[tuple[int, int], ...]:
    """All four sizes, or those ``LAYOUT_FIT_SIZES`` names (``WxH`` separated by commas)."""
    names = os.environ.get("LAYOUT_FIT_SIZES", "").strip()
    if not names:
        return ALL_SIZES
    return tuple(tuple(int(n) for n in name.split("x")) for name in names.split(","))


SIZES = chosen_sizes()
LAPTOP = (1366, 768)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (shutil.which("Xvfb") and shutil.which("openbox")),
                       reason="needs Xvfb and openbox: packaging/system-deps.sh --test"),
]


@contextmanager
def x_display(width: int, height: int):
    """A fresh Xvfb of one size with openbox running on it; yields the DISPLAY string."""
    read, write = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0",
                             f"{width}x{height}x24", "-nolisten", "tcp"],
                            pass_fds=(write,), stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as pipe:
        display = f":{pipe.readline().strip()}"
    env = dict(os.environ, DISPLAY=display)
    wm = subprocess.Popen(["openbox", "--sm-disable"], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.8)  # openbox takes the screen before any window maps
    try:
        yield display
    finally:
        for proc in (wm, xvfb):
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()


def run_worker(size: tuple[int, int], out: Path, modes: str, shots: str = "1.5,3") -> dict:
    with x_display(*size) as display:
        env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb",
                   PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
        done = subprocess.run([sys.executable, str(WORKER), "--out", str(out), "--modes", modes,
                               "--shots", shots], env=env, capture_output=True, text=True,
                              timeout=290)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((out / "report.json").read_text())


def format_problems(problems: list[dict]) -> str:
    """One line a problem: where (scene and scale, or panel), which widget, what, by how much."""
    lines = []
    for p in problems:
        where = (f"scene {p['scene']:>2} {'+'.join(p['panels'])} ×{p['scale']:g}"
                 if p["mode"] == "present" else f"laptop {p['panel']}")
        detail = f" ({p['detail']})" if p.get("detail") else ""
        lines.append(f"{where}: {p['widget']}: {p['what']} by {p['px']} px{detail}")
    return "\n".join(lines)


KINDS = (("scroll range", "scrolls"), ("minimum size", "squeezed"), ("caption", "caption"),
         ("overlay cut", "overlay cut"), ("overlay covers", "overlay cover"),
         ("than the screen", "window"), ("canvas text", "canvas text"),
         ("visualization", "visualization share"), ("folded to fit", "folded too early"))


def kind(problem: dict) -> str:
    return next((name for key, name in KINDS if key in problem["what"]), "other")


def summary(problems: list[dict]) -> str:
    """How many scene × scale combinations fail at each scale, which laptop panels, and how
    many problems of each kind."""
    scales: dict[float, set[int]] = {}
    kinds: dict[str, int] = {}
    for p in problems:
        if p["mode"] == "present":
            scales.setdefault(p["scale"], set()).add(p["scene"])
        kinds[kind(p)] = kinds.get(kind(p), 0) + 1
    laptop = sorted({p["panel"] for p in problems if p["mode"] == "laptop"})
    parts = [f"×{s:g}: {len(scenes)} scene(s)" for s, scenes in sorted(scales.items())]
    if laptop:
        parts.append(f"laptop: {', '.join(laptop)}")
    counts = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    return f"failing {', '.join(parts)} [{counts}]"


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """Every screen size's report, two sizes at a time (the app is single-threaded; a second
    X server and app use the second core)."""
    out = tmp_path_factory.mktemp("layout-fit")
    pool = ThreadPoolExecutor(max_workers=2)
    futures = {size: pool.submit(run_worker, size, out / f"{size[0]}x{size[1]}",
                                 "present,laptop" if size == LAPTOP else "present")
               for size in SIZES}
    yield {size: (future, out / f"{size[0]}x{size[1]}") for size, future in futures.items()}
    pool.shutdown(wait=True)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_tour_fits_the_screen(size, reports):
    future, tmp_path = reports[size]
    report = future.result()
    assert report["screen"] == list(size)
    problems = report["problems"]  # every rule is held, the visualization's share included
    (tmp_path / "problems.txt").write_text(format_problems(problems) + "\n")
    if problems:
        pytest.fail(f"{len(problems)} problem(s) at {size[0]}×{size[1]}; {summary(problems)} "
                    f"(screenshots and problems.txt in {tmp_path}):\n"
                    f"{format_problems(problems)}", pytrace=False)
