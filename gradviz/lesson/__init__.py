"""Versioned, validated save and load of everything the user made. Never imports Qt.

- :mod:`~gradviz.lesson.format` — the ``.gradviz`` file (:class:`Lesson`, versions, migrations);
- :mod:`~gradviz.lesson.files` — :func:`open_lesson`, atomic :func:`save_lesson`;
- :mod:`~gradviz.lesson.scenes` — :class:`SceneList` and its undoable commands;
- :mod:`~gradviz.lesson.recovery` — autosave copies and crash recovery;
- :mod:`~gradviz.lesson.safe_json` — reading untrusted JSON.
"""

from gradviz.lesson.files import LessonSaveError, open_lesson, save_lesson
from gradviz.lesson.format import FILE_SUFFIX, LESSON_FORMAT_VERSION, Lesson, decode_lesson
from gradviz.lesson.recovery import RecoveryEntry, RecoveryStore
from gradviz.lesson.safe_json import MAX_DEPTH, MAX_FILE_BYTES, LessonError
from gradviz.lesson.scenes import Scene, SceneList, apply_scene_state, capture_scene

__all__ = [
    "FILE_SUFFIX", "LESSON_FORMAT_VERSION", "MAX_DEPTH", "MAX_FILE_BYTES", "Lesson",
    "LessonError", "LessonSaveError", "RecoveryEntry", "RecoveryStore", "Scene", "SceneList",
    "apply_scene_state", "capture_scene", "decode_lesson", "open_lesson", "save_lesson",
]
