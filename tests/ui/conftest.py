import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qt_support import (  # noqa: E402,F401
    _isolated_settings,
    _no_logged_errors,
    app_model,
    make_panel,
    make_window,
    registry,
    window,
)
