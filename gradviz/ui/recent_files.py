"""The File → Open Recent list: kept in the user's settings, or in memory for a window without
settings (batch runs, tests)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

MAX_RECENT = 8
_KEY = "lessons/recent"


class RecentFiles:
    """Most recent first, at most :data:`MAX_RECENT`, no duplicates."""

    def __init__(self, settings: QSettings | None) -> None:
        self.settings = settings
        self._memory: list[str] = []

    def entries(self) -> list[str]:
        if self.settings is None:
            return list(self._memory)
        value = self.settings.value(_KEY, [])
        if isinstance(value, str):
            value = [value]
        # A hand-edited or corrupt settings file may hold anything: keep only the texts.
        return [v for v in value if isinstance(v, str)][:MAX_RECENT] if isinstance(
            value, list) else []

    def _store(self, entries: list[str]) -> None:
        if self.settings is None:
            self._memory = entries
        else:
            self.settings.setValue(_KEY, entries)

    def remember(self, path: Path) -> None:
        self._store(([str(path)] + [p for p in self.entries() if p != str(path)])[:MAX_RECENT])

    def forget(self, path: Path) -> None:
        self._store([p for p in self.entries()
                     if Path(p) != path and Path(p) != path.resolve()])

    def clear(self) -> None:
        self._store([])
