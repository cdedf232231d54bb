"""Format versions: older files are converted step by step; newer ones are refused."""

from __future__ import annotations

import json

import pytest

from gradviz.app import build_model
from gradviz.lesson import LessonError, open_lesson
from gradviz.lesson import format as fmt
from gradviz.lesson.format import migrate, migrate_model_state


def test_a_bare_model_state_from_a_script_opens_as_version_0(tmp_path):
    model = build_model()
    model["mininet"].w = -2.0
    path = tmp_path / "state.json"
    path.write_text(json.dumps(model.to_dict()))
    lesson = open_lesson(path, build_model)
    assert lesson.model["models"]["mininet"]["state"]["w"] == -2.0
    assert lesson.layout is None and lesson.theme is None


def test_migrations_run_in_order_and_future_versions_are_refused(monkeypatch):
    seen = []

    def v1_to_v2(data):
        seen.append(1)
        return {**data, "version": 2, "title": data["title"] + " (v2)"}

    monkeypatch.setattr(fmt, "LESSON_FORMAT_VERSION", 2)
    monkeypatch.setitem(fmt.MIGRATIONS, 1, v1_to_v2)
    old = {"format": "gradviz-lesson", "version": 1, "title": "t", "model": {}}
    assert migrate(old)["title"] == "t (v2)"
    bare = {"format_version": 1, "models": {}}
    assert migrate(bare)["version"] == 2 and seen == [1, 1]
    with pytest.raises(LessonError, match="newer GradViz.*format 3.*up to 2"):
        migrate({**old, "version": 3})


def test_a_missing_migration_step_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(fmt, "LESSON_FORMAT_VERSION", 3)
    monkeypatch.setitem(fmt.MIGRATIONS, 1, lambda d: {**d, "version": 2})
    with pytest.raises(LessonError, match="format 2 can no longer be read"):
        migrate({"format": "gradviz-lesson", "version": 1, "model": {}})


def test_sub_model_states_are_migrated_through_their_own_hook(monkeypatch):
    model = build_model()
    net = model["mininet"]
    monkeypatch.setattr(type(net), "format_version", 2, raising=False)

    def migrate_state(version, state):
        assert version == 1
        return {**state, "w": state["w"] * 2}

    monkeypatch.setattr(type(net), "migrate_state", staticmethod(migrate_state), raising=False)
    state = {"format_version": 1, "models": {"mininet": {"version": 1, "state": {"w": 0.25}}}}
    out = migrate_model_state(state, model, "model")
    assert out["models"]["mininet"] == {"version": 2, "state": {"w": 0.5}}
    assert state["models"]["mininet"]["version"] == 1  # the input is not modified
    with pytest.raises(LessonError, match="newer GradViz"):
        migrate_model_state({"models": {"mininet": {"version": 3, "state": {}}}}, model, "model")


def test_an_old_sub_model_format_without_a_hook_is_refused(monkeypatch):
    model = build_model()
    monkeypatch.setattr(type(model["mininet"]), "format_version", 2, raising=False)
    with pytest.raises(LessonError, match="mininet format 1 can no longer be read"):
        migrate_model_state({"models": {"mininet": {"version": 1, "state": {}}}}, model, "model")
