"""Recovery copies: kept while a session runs, offered when it died, gone when it ended well."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from gradviz.app import build_model
from gradviz.lesson import Lesson, RecoveryStore


def _lesson(w: float) -> Lesson:
    model = build_model()
    model["mininet"].w = w
    return Lesson(model=model.to_dict(), source="/home/me/lesson.gradviz")


def test_a_live_session_is_not_offered_and_a_closed_one_leaves_nothing(tmp_path):
    mine = RecoveryStore(tmp_path)
    mine.write(_lesson(1.0))
    other = RecoveryStore(tmp_path)
    assert other.pending() == []  # the first session is still running
    mine.close()
    assert other.pending() == [] and list(tmp_path.iterdir()) == []


def test_a_crashed_session_is_offered_and_restores(tmp_path):
    code = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(os.getcwd())!r})
        from gradviz.app import build_model
        from gradviz.lesson import Lesson, RecoveryStore
        model = build_model()
        model["mininet"].w = 2.75
        RecoveryStore({str(tmp_path)!r}).write(Lesson(model=model.to_dict(), source="x.gradviz"))
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    store = RecoveryStore(tmp_path)
    entries = store.pending()
    assert len(entries) == 1
    lesson = store.load(entries[0], build_model)
    assert lesson.model["models"]["mininet"]["state"]["w"] == 2.75
    assert lesson.source == "x.gradviz"
    store.discard(entries[0])
    assert store.pending() == [] and list(tmp_path.iterdir()) == []


def test_clear_removes_only_this_sessions_copy(tmp_path):
    store = RecoveryStore(tmp_path)
    store.write(_lesson(1.0))
    assert store.copy_path.is_file()
    store.clear()
    assert not store.copy_path.exists() and store.lock_path.exists()
    store.close()
