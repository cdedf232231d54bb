"""PyInstaller runtime hook: give Qt a UTF-8 locale when the environment names none.

Started from a bare environment (``env -i``, some launchers, cron) the locale is "C"; Qt then
prints a warning about switching to C.UTF-8 on every start. Naming C.UTF-8 up front is what Qt
would do anyway, minus the noise. A locale the user set is never touched.
"""

import os

if not any(os.environ.get(name) for name in ("LC_ALL", "LC_CTYPE", "LANG")):
    os.environ["LC_CTYPE"] = "C.UTF-8"
