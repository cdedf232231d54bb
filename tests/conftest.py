"""Shared by every test folder; must never import Qt (tests/core and tests/graph run without it)."""

import sys

import pytest

QT_PREFIXES = ("PySide6", "shiboken6", "pyqtgraph", "OpenGL")


@pytest.fixture(scope="session", autouse=True)
def _no_qt_in_qt_free_runs(request):
    """In a run without pytest-qt (the Qt-free layers), no Qt module may get imported."""
    yield
    if request.config.pluginmanager.has_plugin("pytest-qt"):
        return
    leaked = sorted(m for m in sys.modules if m.startswith(QT_PREFIXES))
    assert not leaked, f"Qt-free tests imported Qt modules: {leaked[:5]}"
