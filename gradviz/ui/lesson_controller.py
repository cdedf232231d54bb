"""Lesson files in the window: New, Open, Save, Save As, Open Recent, Revert, the modified
marker, Save/Discard/Cancel on close, autosave and crash recovery, and going to a scene.

The state always comes from the model (``AppModel.to_dict``), never from widgets; the dock
layout and theme ride along as opaque extras.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QObject, QStandardPaths, QTimer
from PySide6.QtGui import QAction

from gradviz.core.model import AppModel
from gradviz.lesson import (
    FILE_SUFFIX,
    Lesson,
    LessonError,
    LessonSaveError,
    RecoveryStore,
    open_lesson,
    save_lesson,
)
from gradviz.lesson.digest import state_digest
from gradviz.lesson.scenes import SCENES_KEY
from gradviz.ui.connections import connect_model_events, disconnect_all
from gradviz.ui.lesson_dialogs import LessonDialogs, NonInteractiveDialogs, QtLessonDialogs
from gradviz.ui.lesson_worker import LessonBusyError, QtLessonWorker, precompute_states
from gradviz.ui.recent_files import RecentFiles
from gradviz.ui.scene_navigation import SceneNavigator, show_scene_panels

if TYPE_CHECKING:
    from gradviz.ui.main_window import QtMainWindow

log = logging.getLogger(__name__)

AUTOSAVE_INTERVAL_MS = 60_000
QUIET_MS = 1_000
#: ``accept``, ``discard`` or ``ask`` (the default): what to do with a recovery copy at start-up.
RECOVERY_ENV = "GRADVIZ_RECOVERY"


def recovery_directory() -> Path:
    """Where recovery copies live: the user's data directory (``QStandardPaths``)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base) / "recovery"


class LessonController(QObject):
    """Owns the current lesson file of one window.

    Parameters
    ----------
    window
        The main window (its model, undo stack, File menu and layout).
    model_factory
        Builds a fresh model with the same sub-models; files are validated in one first.
    dialogs
        How to ask the user; a window without settings (batch runs, tests) never asks.
    """

    def __init__(self, window: QtMainWindow, model_factory: Callable[[], AppModel],
                 dialogs: LessonDialogs | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.model = window.model
        self.model_factory = model_factory
        interactive = window.settings is not None
        self.dialogs: LessonDialogs = dialogs or (QtLessonDialogs(window) if interactive
                                                  else NonInteractiveDialogs())
        self.path: Path | None = None
        self.untitled_name = "Untitled"
        self._saved_digest = state_digest(self.model)
        self._model_changed = False
        self.recent = RecentFiles(window.settings)
        self.recovery: RecoveryStore | None = None
        self._autosave_failed = False

        self._check_timer = QTimer(self, singleShot=True, interval=120)
        self._check_timer.timeout.connect(self._recheck_modified)
        self._quiet_timer = QTimer(self, singleShot=True, interval=QUIET_MS)
        self._quiet_timer.timeout.connect(self.autosave)
        self._autosave_timer = QTimer(self, interval=AUTOSAVE_INTERVAL_MS)
        self._autosave_timer.timeout.connect(self.autosave)

        self.worker = QtLessonWorker(self, window.show_status)
        self.navigator = SceneNavigator(window)
        self._connections: list[tuple[Any, Callable]] = []
        self._sub_connections: dict[str, list[tuple[Any, Callable]]] = {}
        self._listen_to_model()
        # A window can be deleted without a close event (tests, a crash in teardown): its model
        # must then stop calling into it. The callable does not reference self.
        connections, subs = self._connections, self._sub_connections
        self.destroyed.connect(lambda *_: disconnect_all(connections, *subs.values()))
        window.undo_stack.cleanChanged.connect(self._update_title)
        window.undo_stack.indexChanged.connect(self._on_structure_changed)
        self._build_menu()
        self._update_title()
        if interactive:
            self.enable_autosave(recovery_directory())

    # -- model change tracking -----------------------------------------------------------------
    def _listen(self, signal: Any, slot: Callable) -> None:
        signal.connect(slot)
        self._connections.append((signal, slot))

    def _listen_to_model(self) -> None:
        """Every sub-model's events, generically: a change that is not a command (optimizer
        settings, ball starts) still marks the lesson as modified. Events a sub-model declares
        in ``thread_events`` (fired on the thread that ran ``backward()``) are queued to the
        GUI thread: no slot here ever runs elsewhere. A sub-model put in the place of another
        (``AppModel.replace``: the viewer's next traced graph) is listened to instead."""
        self._listen(self.model.loaded, self._on_model_event)
        self._listen(self.model.was_reset, self._on_model_event)
        self._listen(self.model.registered, self._on_registered)
        for key in self.model.keys():
            self._listen_to_sub_model(key)

    def _listen_to_sub_model(self, key: str) -> None:
        disconnect_all(self._sub_connections.setdefault(key, []))
        sub = self.model[key]
        events = getattr(sub, "events", None)
        if events is not None:
            self._sub_connections[key] += connect_model_events(
                events, self._on_model_event, self, getattr(sub, "thread_events", frozenset()))

    def _on_registered(self, key: str) -> None:
        self._listen_to_sub_model(key)
        self._on_model_event()

    def _on_model_event(self, *_: Any) -> None:
        self._check_timer.start()
        self._on_structure_changed()

    def _on_structure_changed(self, *_: Any) -> None:
        if self.recovery is not None and self._connections:
            self._quiet_timer.start()  # restarts: autosave after a quiet second

    def _recheck_modified(self) -> None:
        self._model_changed = state_digest(self.model) != self._saved_digest
        self._update_title()

    def is_modified(self) -> bool:
        """The undo stack is not clean, or the model differs from what was last saved."""
        self._model_changed = state_digest(self.model) != self._saved_digest
        return not self.window.undo_stack.isClean() or self._model_changed

    def _mark_saved(self) -> None:
        self._saved_digest = state_digest(self.model)
        self._model_changed = False
        self.window.undo_stack.setClean()
        self._update_title()

    # -- title ---------------------------------------------------------------------------------
    @property
    def display_name(self) -> str:
        return self.path.name if self.path is not None else self.untitled_name

    def _update_title(self, *_: Any) -> None:
        try:
            modified = not self.window.undo_stack.isClean() or self._model_changed
        except RuntimeError:
            return  # the window is being destroyed: its undo stack emits as it clears itself
        self.window.setWindowTitle(f"{self.display_name}[*] — GradViz")
        self.window.setWindowModified(modified)
        self.action_revert.setEnabled(self.path is not None and modified)

    # -- menu ----------------------------------------------------------------------------------
    def _build_menu(self) -> None:
        w = self.window
        for action, slot in ((w.action_new, self.new), (w.action_open, self.open),
                             (w.action_save, self.save), (w.action_save_as, self.save_as)):
            action.triggered.connect(lambda _=False, s=slot: s())
            action.setEnabled(True)
        self.action_revert = QAction("Re&vert", w)
        self.action_revert.triggered.connect(lambda _=False: self.revert())
        w.file_menu.insertAction(w.recent_menu.menuAction(), self.action_revert)
        w.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._refresh_recent_enabled()

    # -- recent files --------------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        return self.recent.entries()

    def _remember(self, path: Path) -> None:
        self.recent.remember(path)
        self._refresh_recent_enabled()

    def _forget(self, path: Path) -> None:
        self.recent.forget(path)
        self._refresh_recent_enabled()

    def _refresh_recent_enabled(self) -> None:
        self.window.recent_menu.setEnabled(bool(self.recent_files()))

    def _fill_recent_menu(self) -> None:
        menu = self.window.recent_menu
        menu.clear()
        for i, path in enumerate(self.recent_files()):
            act = menu.addAction(f"&{i + 1} {Path(path).name}")
            act.setToolTip(path)
            act.setStatusTip(path)
            act.triggered.connect(lambda _=False, p=path: self.open(p))
        if menu.actions():
            menu.addSeparator()
            menu.addAction("Clear list", self._clear_recent)

    def _clear_recent(self) -> None:
        self.recent.clear()
        self._refresh_recent_enabled()

    # -- the file actions -----------------------------------------------------------------------
    def maybe_save(self) -> bool:
        """Ask Save / Discard / Cancel when there are unsaved changes; True means go on."""
        if not self.is_modified():
            return True
        answer = self.dialogs.ask_save_changes(self.display_name)
        if answer == "save":
            return self.save()
        return answer == "discard"

    def new(self) -> bool:
        if not self.maybe_save():
            return False
        self.model.reset()
        self.path = None
        self.untitled_name = "Untitled"
        self.window.undo_stack.clear()
        self.window.reset_layout()
        self._mark_saved()
        self._discard_recovery_copy()
        self.window.show_status("New lesson")
        return True

    def open(self, path: str | os.PathLike[str] | None = None) -> bool:
        """Open a lesson (asking for a file when ``path`` is None); False if nothing changed."""
        if not self.maybe_save():
            return False
        if path is None:
            start = str(self.path.parent) if self.path is not None else str(Path.home())
            path = self.dialogs.open_path(start)
            if not path:
                return False
        return self.load(path)

    def load(self, path: str | os.PathLike[str], as_copy: bool = False) -> bool:
        """Open ``path`` without asking about unsaved changes. The file is validated completely
        (in fresh candidate models) before the open lesson is touched; on any problem the
        message is shown and nothing changes."""
        p = Path(path)
        try:
            lesson = self.worker.run(lambda: open_lesson(p, self.model_factory),
                                     f"Opening {p.name}…", keeps=True)
        except LessonBusyError as exc:
            self.window.show_status(str(exc))
            return False
        except LessonError as exc:
            if not p.exists():
                self._forget(p)  # a recent file that was moved or deleted
            self._report("Could not open the lesson", str(exc))
            return False
        if not self.apply_lesson(lesson):
            return False
        self.path = None if as_copy else p.resolve()
        self.untitled_name = (lesson.title or p.stem) if as_copy else "Untitled"
        self.window.undo_stack.clear()
        self._mark_saved()
        self._discard_recovery_copy()
        if not as_copy:
            self._remember(self.path)
        scenes = self.scenes
        if scenes is not None and scenes.current >= 0:  # open on the scene it was saved at
            show_scene_panels(self.window, scenes[scenes.current].panels)
        self.window.show_status(f"Opened {p.name}")
        return True

    def apply_lesson(self, lesson: Lesson) -> bool:
        try:
            # All or nothing (AppModel rolls back); what the worker prepared is not redone.
            self.model.from_dict(lesson.model, prepared=lesson.prepared)
        except Exception as exc:  # includes a panel's slot failing: never reach the event loop
            log.exception("applying a lesson failed")
            self._report("Could not open the lesson", str(exc))
            return False
        presentation = getattr(self.window, "presentation", None)
        if presentation is not None and presentation.active:
            presentation.stop()
        if lesson.theme is not None:
            self.window.set_theme(lesson.theme)  # unknown names are ignored
        if lesson.layout is not None:
            from gradviz.ui.window_common import LAYOUT_VERSION

            ok = lesson.layout_version == LAYOUT_VERSION and self.window.restoreState(
                QByteArray(lesson.layout), LAYOUT_VERSION)
            if ok:
                for dock in self.window.docks.values():
                    if dock.isVisible():
                        dock.ensure_panel()
            else:
                self.window.show_status("The lesson's window layout does not fit this version; "
                                        "the current layout is kept")
        return True

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self._write(self.path)

    def save_as(self, path: str | os.PathLike[str] | None = None) -> bool:
        if path is None:
            folder = self.path.parent if self.path is not None else Path.home()
            stem = re.sub(r"[^\w\- ]+", "", Path(self.display_name).stem).strip() or "lesson"
            suggested = str(folder / (stem + FILE_SUFFIX))
            path = self.dialogs.save_path(suggested)
            if not path:
                return False
        p = Path(path)
        if p.suffix.lower() != FILE_SUFFIX:
            p = p.with_name(p.name + FILE_SUFFIX)
        return self._write(p)

    def _write(self, path: Path) -> bool:
        try:
            self.worker.run(lambda: precompute_states(self.model), f"Saving {path.name}…")
            lesson = self.capture()  # here: the state of one moment; the worker only writes it
            written = self.worker.run(lambda: save_lesson(path, lesson), f"Saving {path.name}…")
        except LessonBusyError as exc:
            self.window.show_status(str(exc))
            return False
        except LessonSaveError as exc:
            self._report("Could not save the lesson", str(exc))
            return False
        self.path = written
        self._mark_saved()
        self._discard_recovery_copy()
        self._remember(written)
        self.window.show_status(f"Saved {written.name}")
        return True

    def revert(self) -> bool:
        if self.path is None:
            return False
        if self.is_modified() and not self.dialogs.confirm_revert(self.display_name):
            return False
        return self.load(self.path)

    def capture(self) -> Lesson:
        """The lesson as it stands: the model's state, the (normal, not presentation) layout
        and the theme."""
        from gradviz.ui.window_common import LAYOUT_VERSION

        presentation = getattr(self.window, "presentation", None)
        layout = presentation.normal_layout() if presentation is not None else None
        if layout is None:
            layout = self.window.saveState(LAYOUT_VERSION)
        return Lesson(model=self.model.to_dict(), layout=bytes(layout),
                      layout_version=LAYOUT_VERSION, theme=self.window.theme.name,
                      title=Path(self.display_name).stem)

    def _report(self, title: str, message: str) -> None:
        self.window.show_status(message, 15000)
        self.dialogs.error(title, message)

    # -- scenes --------------------------------------------------------------------------------
    @property
    def scenes(self):
        return self.model.get(SCENES_KEY)

    def go_to_scene(self, index: int, show_panels: bool = True, exclusive: bool = False) -> bool:
        """Load a scene's state, make it current and show its panels (``exclusive``: and hide
        the others); see :class:`~gradviz.ui.scene_navigation.SceneNavigator`."""
        return self.navigator.go_to_scene(index, show_panels, exclusive)

    # -- autosave and recovery -----------------------------------------------------------------
    def enable_autosave(self, directory: str | os.PathLike[str]) -> None:
        self.recovery = RecoveryStore(directory)
        self._autosave_timer.start()

    def autosave(self) -> bool:
        """Write the recovery copy if there is unsaved work (remove it if there is none)."""
        if self.recovery is None or self.worker.busy:
            return False
        try:
            if not self.is_modified():
                self.recovery.clear()
                return False
            self.worker.run(lambda: precompute_states(self.model), "Saving a recovery copy…")
            lesson = self.capture()
            lesson.source = str(self.path) if self.path is not None else None
            recovery = self.recovery
            self.worker.run(lambda: recovery.write(lesson), "Saving a recovery copy…")
        except (OSError, LessonError) as exc:
            if not self._autosave_failed:  # say it once, not every minute
                self.window.show_status(f"Autosave failed: {exc}", 15000)
            self._autosave_failed = True
            log.warning("autosave failed: %s", exc)
            return False
        self._autosave_failed = False
        return True

    def _discard_recovery_copy(self) -> None:
        if self.recovery is not None:
            try:
                self.recovery.clear()
            except OSError as exc:
                log.warning("could not remove the recovery copy: %s", exc)

    def offer_recovery(self, policy: str | None = None) -> bool:
        """After a crash: offer the newest recovery copy. ``policy`` (or the environment
        variable ``GRADVIZ_RECOVERY``) may answer ``accept`` or ``discard`` without asking."""
        if self.recovery is None:
            return False
        try:
            entries = self.recovery.pending()
        except OSError as exc:
            log.warning("could not look for recovery copies: %s", exc)
            return False
        if not entries:
            return False
        entry = entries[0]
        policy = (policy or os.environ.get(RECOVERY_ENV, "ask")).lower()
        try:
            lesson = self.recovery.load(entry, self.model_factory)
        except LessonError as exc:
            self._report("Recovery copy damaged", f"The recovery copy could not be read and was "
                         f"removed: {exc}")
            self.recovery.discard(entry)
            return False
        if policy == "accept":
            answer = "restore"
        elif policy == "discard":
            answer = "discard"
        else:
            answer = self.dialogs.ask_recover(entry.describe(),
                                              Path(lesson.source).name if lesson.source else None)
        if answer == "discard":
            self.recovery.discard(entry)
            return False
        if answer != "restore" or not self.apply_lesson(lesson):
            return False
        self.path = Path(lesson.source) if lesson.source else None
        self.untitled_name = "Recovered"
        self.window.undo_stack.clear()
        self._saved_digest = ""  # restored work is unsaved work
        self._recheck_modified()
        self.recovery.discard(entry)
        self.autosave()  # this session now owns the copy
        message = f"Restored unsaved work from {entry.describe()}"
        self.window.show_status(message, 15000)
        print(f"gradviz: {message.lower()}", file=sys.stderr, flush=True)
        return True

    # -- closing -------------------------------------------------------------------------------
    def confirm_close(self) -> bool:
        return self.maybe_save()

    def shutdown(self) -> None:
        """The window is closing for good (after :meth:`confirm_close` said yes)."""
        for timer in (self._check_timer, self._quiet_timer, self._autosave_timer):
            timer.stop()
        self.worker.shutdown()
        disconnect_all(self._connections, *self._sub_connections.values())
        for signal, slot in ((self.window.undo_stack.cleanChanged, self._update_title),
                             (self.window.undo_stack.indexChanged, self._on_structure_changed)):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
        if self.recovery is not None:
            try:
                self.recovery.close()
            except OSError as exc:
                log.warning("could not remove the recovery copy: %s", exc)
