"""Crash recovery with real processes: kill gradviz after an autosave; the next start finds the
copy and restores the work."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lesson_helpers import ScriptedDialogs

from gradviz.core.commands import SetFieldCommand


def _env(tmp_path: Path, **extra) -> dict[str, str]:
    env = dict(os.environ)
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_STATE_HOME=str(tmp_path / "state"), XDG_CACHE_HOME=str(tmp_path / "cache"),
               PYTHONWARNINGS="ignore")
    env.pop("QT_QPA_PLATFORM", None)
    env.update(extra)
    return env


def _copies(tmp_path: Path) -> dict[Path, float]:
    found = {}
    for p in (tmp_path / "data").rglob("session-*.gradviz"):
        try:
            found[p] = json.loads(p.read_text("utf-8"))["model"]["models"]["mininet"]["state"]["w"]
        except (OSError, ValueError, KeyError):
            pass  # being written
    return found


def _wait(predicate, timeout: float, proc: subprocess.Popen, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if proc.poll() is not None:
            pytest.fail(f"gradviz exited ({proc.returncode}) before {what}")
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def _start(args, env, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "gradviz", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=log.open("wb"))


def test_killed_app_is_recovered_on_the_next_start(tmp_path):
    first = _start(["--set", "mininet.w=1.25"], _env(tmp_path), tmp_path / "first.log")
    try:
        copies = _wait(lambda: _copies(tmp_path), 90, first, "the first autosave")
        assert list(copies.values()) == [1.25]
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    crashed = next(iter(copies))

    second = _start([], _env(tmp_path, GRADVIZ_RECOVERY="accept"), tmp_path / "second.log")
    try:
        # The second session restores the copy, deletes it, and autosaves the restored (still
        # unsaved) work under its own name.
        new = _wait(lambda: {p: w for p, w in _copies(tmp_path).items() if p != crashed},
                    90, second, "the restored work to be autosaved")
        assert list(new.values()) == [1.25]
        assert not crashed.exists()
        log = (tmp_path / "second.log").read_text(errors="replace")
        assert "restored unsaved work" in log
    finally:
        second.send_signal(signal.SIGKILL)
        second.wait(10)


def test_recovery_in_process_restore_discard_and_later(make_window, tmp_path, qtbot):
    first = make_window()
    first.lessons.enable_autosave(tmp_path)
    first.push(SetFieldCommand(first.model["mininet"], "w", -1.5))
    assert first.lessons.autosave()
    # Simulate a crash: the lock goes away without the copy being removed.
    os.close(first.lessons.recovery._lock_fd)
    first.lessons.recovery._lock_fd = None
    first.lessons.recovery = None

    from gradviz.app import build_model

    second = make_window(model=build_model())
    second.lessons.dialogs = ScriptedDialogs(recover="later")
    second.lessons.enable_autosave(tmp_path)
    assert not second.lessons.offer_recovery()
    assert second.model["mininet"].w == 0.5
    second.lessons.dialogs = ScriptedDialogs(recover="restore")
    assert second.lessons.offer_recovery()
    assert second.model["mininet"].w == -1.5
    assert second.isWindowModified()
    assert second.lessons.recovery.pending() == []

