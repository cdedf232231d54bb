"""The Qt fixtures (settings isolation, models, windows, panels, logged errors): tests/qt_support.py."""

from qt_support import *  # noqa: F403  (tests/ is on sys.path: tests/conftest.py lives there)
