"""A corpus of bad lesson files: each is refused with a message that says what is wrong."""

from __future__ import annotations

import copy
import json
import pickle

import pytest

from gradviz.app import build_model
from gradviz.lesson import Lesson, LessonError, open_lesson
from gradviz.lesson.format import encode_lesson
from gradviz.lesson.safe_json import MAX_FILE_BYTES, nesting_depth, parse_json
from gradviz.lesson.scenes import AddSceneCommand, capture_scene


def good() -> dict:
    model = build_model()
    AddSceneCommand(model["scenes"], capture_scene(model, ["tangent"], "one")).do()
    return json.loads(encode_lesson(Lesson(model=model.to_dict(), layout=b"abc", theme="light")))


def edited(fn) -> bytes:
    data = good()
    fn(data)
    return json.dumps(data).encode()


def _set(path, value):
    def fn(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return fn


MINI = ("model", "models", "mininet", "state")
SCENE0 = ("model", "models", "scenes", "state", "scenes", 0)
GOOD = json.dumps(good()).encode()

CORPUS = [
    ("empty", b"", "is empty"),
    ("whitespace", b"  \n\t ", "is empty"),
    ("truncated", GOOD[: len(GOOD) // 2], "ends too early"),
    ("truncated at the end", GOOD[:-1], "ends too early"),
    ("damaged", GOOD.replace(b",", b";", 3), "is damaged"),
    ("latin-1", "{\"title\": \"caf\xe9\"}".encode("latin-1"), "not UTF-8"),
    ("utf-16", json.dumps(good()).encode("utf-16"), "not UTF-8"),
    ("pickle", pickle.dumps({"format": "gradviz-lesson"}), "not UTF-8"),
    ("binary zeros", b"\x00" * 64, "is damaged"),
    ("deep list", b"[" * 100_000 + b"]" * 100_000, "levels deep"),
    ("deep object", b'{"a":' * 5000 + b"1" + b"}" * 5000, "levels deep"),
    ("array", b"[1, 2, 3]", "holds a JSON list"),
    ("string", b'"gradviz"', "holds a JSON text"),
    ("other json", b'{"name": "package.json"}', "not a GradViz lesson"),
    ("future version", edited(_set(("version",), 99)), "newer GradViz"),
    ("version as text", edited(_set(("version",), "1")), "positive whole number"),
    ("version as bool", edited(_set(("version",), True)), "positive whole number"),
    ("model is a list", edited(_set(("model",), [])), "no model state"),
    ("no models", edited(_set(("model",), {"format_version": 1})), "no 'models' object"),
    ("wrong type", edited(_set(MINI + ("w",), "0.5")), "mininet.w must be a number"),
    ("out of range", edited(_set(MINI + ("w",), 1e9)), "mininet.w must lie in"),
    ("bool for number", edited(_set(MINI + ("seed",), True)), "mininet.seed must be a number"),
    ("unknown field", edited(_set(MINI + ("evil",), 1)), "unknown field(s) evil"),
    ("NaN", GOOD.replace(b'"w": 0.5', b'"w": NaN'), "NaN is not a number"),
    ("Infinity", GOOD.replace(b'"w": 0.5', b'"w": -Infinity'), "-Infinity is not a number"),
    ("huge integer", GOOD.replace(b'"seed": 0', b'"seed": ' + b"9" * 5000), "is damaged"),
    ("duplicate key", GOOD.replace(b'"w": 0.5', b'"w": 0.5, "w": 9'), "appears twice"),
    ("unknown model", edited(_set(("model", "models", "rootkit"), {"version": 1, "state": {}})),
     "uses rootkit, which this version of GradViz does not have"),
    ("future sub-model", edited(_set(("model", "models", "mininet", "version"), 7)),
     "mininet was saved by a newer GradViz"),
    ("scene state", edited(_set(SCENE0 + ("state", "models", "mininet", "state", "w"), "x")),
     "scene 1: mininet.w must be a number"),
    ("scene panel path", edited(_set(SCENE0 + ("panels",), ["../../etc/passwd"])),
     "is not a panel name"),
    ("scene caption", edited(_set(SCENE0 + ("caption",), "x" * 5000)), "caption must be a text"),
    ("scene in scene", edited(_set(SCENE0 + ("state", "models", "scenes"),
                                             {"version": 1, "state": {}})),
     "cannot contain scenes"),
    ("current scene", edited(_set(("model", "models", "scenes", "state", "current"), 5)),
     "current scene 5 does not exist"),
    ("layout base64", edited(_set(("layout", "qt_state"), "not base64!")), "not valid base64"),
    ("layout type", edited(_set(("layout",), "AAAA")), "layout must be an object"),
    ("theme markup", edited(_set(("theme",), "<img src=x>")), "theme must be a theme name"),
    ("title type", edited(_set(("title",), {"a": 1})), "title must be a text"),
    ("extra entry", edited(_set(("__class__",), "os.system")), "unknown entries __class__"),
    ("python code", b"__import__('os').system('echo pwned')", "is damaged"),
]


@pytest.mark.parametrize("name, raw, message", CORPUS, ids=[c[0] for c in CORPUS])
def test_bad_file_is_refused_with_its_message(tmp_path, name, raw, message):
    path = tmp_path / "bad.gradviz"
    path.write_bytes(raw)
    made = []

    def factory():
        made.append(build_model())
        return made[-1]

    with pytest.raises(LessonError) as info:
        open_lesson(path, factory)
    assert message in str(info.value), str(info.value)
    assert "bad.gradviz" in str(info.value), "the message names the file"


def test_oversized_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "huge.gradviz"
    with path.open("wb") as f:  # sparse: 21 MB on paper, nothing on disk
        f.truncate(MAX_FILE_BYTES + 1024 * 1024)
    opened = []
    real_open = type(path).open
    monkeypatch.setattr(type(path), "open", lambda self, *a, **k: opened.append(self)
                        or real_open(self, *a, **k))
    with pytest.raises(LessonError, match="too large"):
        open_lesson(path, build_model)
    assert opened == []


def test_a_directory_or_missing_file_is_refused(tmp_path):
    with pytest.raises(LessonError, match="not a regular file"):
        open_lesson(tmp_path, build_model)
    with pytest.raises(LessonError, match="no such file"):
        open_lesson(tmp_path / "nope.gradviz", build_model)


def test_nesting_depth_ignores_brackets_inside_strings():
    assert nesting_depth(b'{"a": "[[[[[[[[", "b": [[1]]}') == 3
    assert nesting_depth(b'"\\"[[[["') == 0
    assert parse_json(b'{"a": "[[[[[[["}') == {"a": "[[[[[[["}


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.gradviz"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD)
    assert open_lesson(path, build_model).theme == "light"


def test_nothing_is_changed_when_a_file_is_refused(tmp_path):
    """Decoding only ever touches fresh candidate models, never one that is already open."""
    model = build_model()
    model["mininet"].w = 1.25
    before = copy.deepcopy(model.to_dict())
    path = tmp_path / "bad.gradviz"
    path.write_bytes(edited(_set(SCENE0 + ("state", "models", "mininet", "state", "b"), 1e9)))
    with pytest.raises(LessonError):
        open_lesson(path, build_model)
    assert model.to_dict() == before
