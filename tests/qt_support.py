"""Fixtures shared by tests/ui and tests/gl: their conftest files import ``__all__``.

This module imports Qt, so tests/conftest.py (loaded for the Qt-free tests too) must not.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QApplication

from gradviz.ui.qt_app import prepare_qt

# Before pytest-qt creates the QApplication: shared GL contexts, as in the app.
prepare_qt()
QStandardPaths.setTestModeEnabled(True)

__all__ = ["_isolated_settings", "_no_logged_errors", "app_model", "declared_panel", "make_panel",
           "make_window", "registry", "window"]


@contextmanager
def _after_test(clean_up: Callable[[object], None]) -> Iterator[list]:
    """A list for the widgets a factory fixture builds; ``clean_up`` runs on each at the end."""
    made: list = []
    yield made
    for widget in made:
        clean_up(widget)


@pytest.fixture(scope="session", autouse=True)
def _isolated_settings(tmp_path_factory):
    """Tests never read or write a user's settings."""
    path = tmp_path_factory.mktemp("settings")
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(path))
    yield path


@pytest.fixture
def app_model():
    from gradviz.app import build_model

    return build_model()


@pytest.fixture
def registry():
    from gradviz.ui.panels import builtin_registry

    return builtin_registry()


@pytest.fixture
def make_window(qtbot, app_model, registry):
    """Build main windows on the shared test model; closes them and checks nothing leaked."""
    from gradviz.ui.main_window import QtMainWindow
    from gradviz.ui.theme import LIGHT, apply_theme

    apply_theme(QApplication.instance(), LIGHT)
    with _after_test(lambda window: window.close()) as made:

        def make(settings=None, model=None, reg=None):
            window = QtMainWindow(model or app_model, reg or registry, settings)
            qtbot.addWidget(window)
            made.append(window)
            return window

        yield make


@pytest.fixture
def window(make_window):
    w = make_window()
    w.resize(1400, 900)
    w.show()
    return w


@pytest.fixture
def make_panel(qtbot, app_model):
    """Build a panel class on the shared test model, shown at a given size; torn down after."""
    from gradviz.ui.registry import PanelContext

    with _after_test(lambda panel: panel.teardown()) as made:

        def make(cls, size=(1000, 900), prepare=None, **context):
            panel = cls(PanelContext(model=app_model, **context))
            if prepare is not None:  # e.g. stop a timer before the panel is shown
                prepare(panel)
            qtbot.addWidget(panel)
            panel.resize(*size)
            panel.show()
            qtbot.waitExposed(panel)
            made.append(panel)
            return panel

        yield make


class _ErrorRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def _no_logged_errors(request):
    """Panels catch exceptions in their slots and log them, so none reaches the event loop;
    a test must still fail when that happens, unless it is marked ``logged_errors_expected``."""
    handler = _ErrorRecords()
    logger = logging.getLogger("gradviz")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)
    if handler.records and request.node.get_closest_marker("logged_errors_expected") is None:
        first = handler.records[0]
        pytest.fail(f"gradviz logged {len(handler.records)} error(s), first: {first.name}: "
                    f"{first.getMessage()} {first.exc_info[1]!r}" if first.exc_info else
                    f"gradviz logged {len(handler.records)} error(s): {first.getMessage()}")


@pytest.fixture
def declared_panel(qtbot):
    """Build a panel by its registry name, as its dock would (spec, names and titles in the
    context), on a fresh model; torn down after the test."""
    from gradviz.lesson.catalog import build_model
    from gradviz.ui.panels import builtin_registry
    from gradviz.ui.registry import PanelContext

    registry = builtin_registry()
    with _after_test(lambda panel: panel.teardown()) as made:

        def make(name: str):
            spec = registry[name]
            panel = spec.factory(PanelContext(model=build_model(), spec=spec,
                                              panel_names=registry.names,
                                              panel_title=registry.title))
            qtbot.addWidget(panel)
            made.append(panel)
            return panel

        yield make
