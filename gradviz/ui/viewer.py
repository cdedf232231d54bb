"""The scripting API in napari's style: ``gradviz.Viewer()``, ``viewer.add_graph(loss)``,
``gradviz.show(loss)`` and ``gradviz.run()``, from a script, IPython or Jupyter (``%gui qt``).

The viewer is the same main window as ``python -m gradviz``, every panel included; it shares
the user's process, so the traced graph stays live (its gradients are captured on every later
``backward()``) until the window closes.

>>> import torch, gradviz                                     # doctest: +SKIP
>>> x = torch.randn(3, requires_grad=True)                    # doctest: +SKIP
>>> viewer = gradviz.show((x.tanh() * x).sum())               # doctest: +SKIP
>>> gradviz.run()                                             # doctest: +SKIP
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

import torch
from PySide6.QtCore import QEvent, QEventLoop, QObject, QThread, QTimer
from PySide6.QtWidgets import QApplication

from gradviz.core.model import AppModel
from gradviz.graph.trace import trace
from gradviz.graph.trace_model import TracedGraph
from gradviz.graph.trace_node import TraceError

#: Viewers alive in this process (a window the user still sees must not be garbage-collected
#: when their variable goes out of scope); the last one is the current viewer.
_VIEWERS: list[Viewer] = []
_QT_LOOPS = ("qt", "qt5", "qt6", "qt4")
#: A trace that takes longer than this (a graph of tens of thousands of operations) shows
#: progress in the window, which keeps answering, with a Cancel button.
SYNC_TRACE_S = 0.5


def _swap_traced(model: AppModel, graph: TracedGraph) -> TracedGraph:
    """Make ``graph`` the model's ``"traced"`` sub-model (the old one is closed: its hooks
    removed, the user's tensors released); ``registered`` tells the panel to show the new one."""
    old = model.get(graph.key)
    if old is graph:
        return graph
    if old is None:
        return model.register(graph)
    old.close()
    return model.replace(graph)


class _CloseGraphFirst(QObject):
    """Closes the traced graph when its window closes: hooks off, tensors released, and the
    close-time change check no longer summarises thousands of live tensors."""

    def __init__(self, viewer: Viewer) -> None:
        super().__init__(viewer.window)
        self.viewer = viewer

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if obj is self.viewer.window and event.type() == QEvent.Type.Close:
            graph = self.viewer.model.get("traced")
            if graph is not None:
                graph.close()
            if self.viewer in _VIEWERS:
                _VIEWERS.remove(self.viewer)
        return False


class Viewer:
    """A GradViz window opened from Python.

    Parameters
    ----------
    title : str
        The window title.
    show : bool
        Show the window at once (as ``napari.Viewer(show=True)``).

    Examples
    --------
    >>> viewer = gradviz.Viewer()                              # doctest: +SKIP
    >>> viewer.add_graph(loss, name="my loss", module=model)   # doctest: +SKIP
    >>> gradviz.run()                                          # doctest: +SKIP
    """

    def __init__(self, title: str = "GradViz", show: bool = True) -> None:
        from gradviz.lesson.catalog import build_model
        from gradviz.ui.main_window import QtMainWindow
        from gradviz.ui.panels import builtin_registry
        from gradviz.ui.qt_app import ensure_display_or_offscreen, make_application
        from gradviz.ui.theme import LIGHT, apply_theme

        ensure_display_or_offscreen()
        app = make_application([sys.argv[0] if sys.argv and sys.argv[0] else "gradviz"])
        _enable_ipython_qt_loop()
        apply_theme(app, LIGHT)
        # No saved settings: a script's window neither restores nor overwrites the user's
        # layout, and never asks to save (the lessons menu still saves on request).
        # Every app model holds the (empty) ``traced`` sub-model: lessons saved here with a
        # traced graph open in the plain app as well.
        self.window = QtMainWindow(build_model(), builtin_registry(), settings=None,
                                   model_factory=build_model)
        self.window.setWindowTitle(title)
        self._closer = _CloseGraphFirst(self)
        self.window.installEventFilter(self._closer)
        _VIEWERS.append(self)
        if show:
            self.window.show()

    @property
    def model(self) -> AppModel:
        """The window's application model (the traced graph is ``model["traced"]``)."""
        return self.window.model

    def add_graph(self, data: torch.Tensor | TracedGraph, name: str = "",
                  module: torch.nn.Module | None = None,
                  params: Mapping[str, torch.Tensor] | None = None) -> TracedGraph:
        """Show a tensor's autograd graph (traced here) or an already traced graph.

        Parameters
        ----------
        data : torch.Tensor or TracedGraph
            A tensor that requires grad (``loss``), or the result of ``gradviz.trace`` /
            ``gradviz.trace_module`` (which also tags each op with its module, for folding).
        name : str
            Shown on the graph editor's switch ("Your PyTorch graph: <name>").
        module, params
            Name the parameters (``module.named_parameters()``, or a dict as torchviz takes).

        Returns
        -------
        TracedGraph
            The graph shown; it captures the gradients of every later ``backward()`` through it
            until the window closes (or ``close()``).
        """
        if isinstance(data, TracedGraph):
            graph = data
        elif isinstance(data, torch.Tensor):
            graph = self._trace(data, module, params)
        else:
            raise TypeError(f"add_graph() takes a tensor or a traced graph, not "
                            f"{type(data).__name__}")
        _swap_traced(self.model, graph)
        self.window.show_panel("graph")
        self.window.panel("graph").show_page("traced", name)
        return graph

    def _trace(self, tensor: torch.Tensor, module: torch.nn.Module | None,
               params: Mapping[str, torch.Tensor] | None) -> TracedGraph:
        """Trace in a worker thread; past ``SYNC_TRACE_S`` the window shows progress with a
        Cancel button and keeps answering (a Qt loop runs here until the trace is done).

        Raises
        ------
        TraceError
            When the user cancelled (the trace finishes in the background and is closed).
        """
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gradviz-trace")
        future = pool.submit(trace, tensor, module=module, params=params)
        pool.shutdown(wait=False)
        try:
            return future.result(timeout=SYNC_TRACE_S)
        except FutureTimeout:
            pass
        self.window.show_panel("graph")
        editor = self.window.panel("graph")
        editor.traced.show_page("traced", force=True)
        panel = editor.traced.page
        loop = QEventLoop()
        cancelled: list[bool] = []
        poll = QTimer(interval=30)
        poll.timeout.connect(lambda: future.done() and loop.quit())
        panel.show_busy("Tracing your graph…", lambda: (cancelled.append(True), loop.quit()))
        poll.start()
        loop.exec()
        poll.stop()
        panel.hide_busy()
        editor.traced.show_page("traced")  # back to the editor's page if nothing was traced
        if cancelled and not future.done():
            future.add_done_callback(_close_unwanted)
            raise TraceError("tracing was cancelled in the window")
        return future.result()

    def close(self) -> None:
        """Close the window (and the traced graph: its hooks are removed)."""
        self.window.close()


def _close_unwanted(future: Future) -> None:
    """A trace cancelled by the user: once it is done, remove its hooks."""
    if future.exception() is None:
        future.result().close()


def current_viewer() -> Viewer | None:
    """The most recently opened viewer that is still open."""
    return _VIEWERS[-1] if _VIEWERS else None


def show(data: torch.Tensor | TracedGraph, name: str = "",
         module: torch.nn.Module | None = None,
         params: Mapping[str, torch.Tensor] | None = None) -> Viewer:
    """Shorthand: ``add_graph`` into the current viewer (a new one if none is open)."""
    viewer = current_viewer() or Viewer()
    viewer.add_graph(data, name=name, module=module, params=params)
    return viewer


def _ipython_shell() -> Any:
    """The running IPython shell, if any (IPython is never imported here)."""
    module = sys.modules.get("IPython")
    get = getattr(module, "get_ipython", None)
    return get() if get is not None else None


def ipython_runs_qt_loop() -> bool:
    """True inside IPython or a Jupyter kernel whose Qt event loop integration is on
    (``%gui qt``): the loop already runs between cells, so :func:`run` must not block."""
    shell = _ipython_shell()
    if shell is None:
        return False
    if getattr(shell, "active_eventloop", None) in _QT_LOOPS:
        return True
    kernel = getattr(shell, "kernel", None)
    loop = getattr(kernel, "eventloop", None)
    return loop is not None and "qt" in getattr(loop, "__name__", "").lower()


def _enable_ipython_qt_loop() -> None:
    """In IPython without ``%gui qt``, turn it on (as ``%gui qt`` would), so the window
    answers between cells; say so if that is not possible."""
    shell = _ipython_shell()
    if shell is None or ipython_runs_qt_loop():
        return
    try:
        shell.enable_gui("qt")
    except Exception as exc:  # an old IPython or another loop already active
        warnings.warn(f"run %gui qt first to use the GradViz window from IPython ({exc})",
                      stacklevel=3)


def run(force: bool = False) -> None:
    """Run the Qt event loop until every GradViz window is closed, as ``napari.run()``.

    Inside IPython or Jupyter with ``%gui qt`` the loop already runs, so this returns at once
    (``force=True`` blocks anyway); called from inside a running loop it also returns.
    """
    app = QApplication.instance()
    if app is None or not _VIEWERS:
        warnings.warn("gradviz.run(): no window is open (call gradviz.show(loss) or "
                      "gradviz.Viewer() first)", stacklevel=2)
        return
    if not force and (ipython_runs_qt_loop() or QThread.currentThread().loopLevel() > 0):
        return
    app.exec()
