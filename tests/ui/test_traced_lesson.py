"""A traced graph in lessons on real windows: a backward on another thread reaches the lesson
controller only on the GUI thread; a saved traced lesson opens read-only in the plain app (its
window, ``--screenshot`` and ``--export-scenes``) and from the viewer's own File menu."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import torch
from lesson_helpers import ScriptedDialogs
from PySide6.QtCore import QtMsgType, qInstallMessageHandler
from torch import nn

from gradviz.app import build_model
from gradviz.graph.trace import trace, trace_module
from gradviz.graph.trace_model import TracedGraph
from gradviz.lesson import Lesson, save_lesson
from gradviz.lesson.scenes import SCENES_KEY, capture_scene

ROOT = Path(__file__).resolve().parents[2]


def _net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 6), nn.Tanh(), nn.Linear(6, 1))


def _traced_lesson(path: Path, scenes: bool = False):
    """A lesson file holding a traced graph with values and gradients; returns the live graph
    it was saved from (closed: only its summaries are compared)."""
    model = build_model()
    live = model.replace(trace_module(_net(), torch.randn(4, 3)))
    live.backward()
    if scenes:
        model[SCENES_KEY].insert(0, capture_scene(model, ["graph"], "Your graph"))
        model.replace(TracedGraph())
        model[SCENES_KEY].insert(1, capture_scene(model, ["mininet"], "No graph"))
        model.replace(live)
        model[SCENES_KEY].set_current(0)  # saved while showing the first scene
    live.to_dict()  # every summary computed before closing
    live.close()
    save_lesson(path, Lesson(model.to_dict(), title="traced"))
    return live


def _same_summaries(graph, live) -> None:
    assert graph.nodes == live.nodes and graph.edges == live.edges
    assert [graph.value(i) for i in range(len(live))] == [live.value(i) for i in range(len(live))]
    assert [graph.grad(i) for i in range(len(live))] == [live.grad(i) for i in range(len(live))]
    assert sum(graph.grad(i) is not None for i in range(len(graph))) >= 5


@pytest.fixture
def warnings_seen():
    """Qt's own warnings (a timer started from another thread is one)."""
    seen: list[str] = []

    def handler(kind, context, message):
        if kind != QtMsgType.QtDebugMsg:
            seen.append(message)

    previous = qInstallMessageHandler(handler)
    yield seen
    qInstallMessageHandler(previous)


def test_a_backward_on_another_thread_reaches_the_controller_on_the_gui_thread(
        window, qtbot, monkeypatch, warnings_seen):
    controller = window.lessons
    threads: list[bool] = []
    original = controller._on_model_event

    def on_model_event(*args):  # records the thread, then does what the controller does
        threads.append(threading.current_thread() is threading.main_thread())
        original(*args)

    monkeypatch.setattr(controller, "_on_model_event", on_model_event)
    net = _net()
    loss = net(torch.randn(8, 3)).pow(2).mean()
    graph = window.model.replace(trace(loss, module=net))  # the controller now listens to it
    qtbot.waitUntil(lambda: bool(threads), timeout=2000)
    runs_before = len(threads)
    worker = threading.Thread(target=lambda: loss.backward(retain_graph=True))
    worker.start()
    worker.join()
    assert graph.grad_runs == 1
    qtbot.waitUntil(lambda: len(threads) > runs_before, timeout=2000)
    assert all(threads), "a lesson controller slot ran off the GUI thread"
    qtbot.waitUntil(window.isWindowModified, timeout=2000)  # new gradients: unsaved work
    assert not [m for m in warnings_seen if "thread" in m.lower()], warnings_seen
    graph.close()


def test_a_saved_traced_lesson_opens_read_only_in_a_plain_window(make_window, qtbot, tmp_path):
    path = tmp_path / "traced.gradviz"
    live = _traced_lesson(path, scenes=True)
    window = make_window()
    window.lessons.dialogs = ScriptedDialogs()
    assert window.lessons.load(path), window.lessons.dialogs.errors
    graph = window.model["traced"]
    assert graph.reopened and not graph.can_backward()
    _same_summaries(graph, live)
    window.show_panel("graph")
    editor = window.panel("graph")
    assert not editor.traced.row.isHidden()  # the switch offers "Your PyTorch graph"
    editor.show_page("traced")
    assert len(editor.traced.page.drawing) == len(live)
    assert "read-only" in editor.traced.page.controls.notice.text()
    qtbot.wait(300)  # the debounced change check has run
    assert not window.lessons.is_modified() and not window.isWindowModified()
    for index in (1, 0, 1, 0):  # scenes with and without the graph
        assert window.lessons.go_to_scene(index)
        assert graph.is_empty() == (index == 1)
        assert not window.lessons.is_modified()
    _same_summaries(graph, live)
    window.lessons.new()
    assert graph.is_empty() and not window.lessons.is_modified()


def test_the_viewer_saves_a_live_graph_that_the_plain_app_reopens(make_window, qtbot, tmp_path):
    import gradviz

    net = _net()
    loss = net(torch.randn(5, 3)).sum()
    viewer = gradviz.Viewer(show=False)
    try:
        live = viewer.add_graph(loss, module=net)
        loss.backward()
        qtbot.waitUntil(lambda: live.grad(0) is not None, timeout=2000)
        assert viewer.window.lessons.save_as(tmp_path / "from-viewer")
        again = gradviz.Viewer(show=False)
        try:
            assert again.window.lessons.load(tmp_path / "from-viewer.gradviz")
            _same_summaries(again.model["traced"], live)
        finally:
            again.close()
        window = make_window()
        window.lessons.dialogs = ScriptedDialogs()
        assert window.lessons.load(tmp_path / "from-viewer.gradviz")
        _same_summaries(window.model["traced"], live)
    finally:
        viewer.close()


def test_the_command_line_renders_a_traced_lesson(tmp_path):
    path = tmp_path / "traced.gradviz"
    _traced_lesson(path, scenes=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    shot = tmp_path / "shot.png"
    done = subprocess.run([sys.executable, "-m", "gradviz", str(path), "--scene", "1",
                           "--screenshot", str(shot)], env=env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr
    assert shot.stat().st_size > 10_000
    out = tmp_path / "scenes"
    done = subprocess.run([sys.executable, "-m", "gradviz", str(path), "--export-scenes",
                           str(out), "--size", "1280x720"], env=env, capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.glob("scene-*.png")) == ["scene-01.png", "scene-02.png"]
