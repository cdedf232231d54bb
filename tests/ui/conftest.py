import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qt_support import _isolated_settings, app_model, make_window, registry, window  # noqa: E402,F401
