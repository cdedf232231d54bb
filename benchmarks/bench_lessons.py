"""Lesson files: what a lecturer waits for when opening or saving, and what every edit costs.

- opening the bundled tour (parse + migrate + validate every sub-model and every scene in fresh
  candidate models) against a bare ``json.loads`` of the same bytes;
- saving it atomically (write, fsync, rename) against a plain ``write_bytes`` of the same bytes;
- the modified check (a digest of the whole model state) that runs after edits, against one
  ``model.to_dict()``;
- the nesting check of a 20 MB hostile file (vectorized) — it must refuse in well under a second.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from table import Row, median_time


def rows() -> list[Row]:
    from gradviz.app import build_model
    from gradviz.core.resources import resource_path
    from gradviz.lesson import open_lesson, save_lesson
    from gradviz.lesson.format import decode_lesson
    from gradviz.lesson.safe_json import MAX_FILE_BYTES, nesting_depth

    out: list[Row] = []
    tour = resource_path("lessons", "why-derivatives.gradviz")
    if not tour.is_file():
        return [Row("open the tour", None, "ms", note="tour not built")]
    raw = tour.read_bytes()
    n_scenes = len(json.loads(raw)["model"]["models"]["scenes"]["state"]["scenes"])
    open_ms = median_time(lambda: decode_lesson(raw, build_model, "tour"), repeat=5, warmup=1)
    parse_ms = median_time(lambda: json.loads(raw), repeat=20)
    out.append(Row(f"open + validate the tour ({len(raw) // 1024} kB, {n_scenes} scenes)",
                   open_ms, "ms", parse_ms, goal=300, note="baseline: json.loads of the file"))

    lesson = open_lesson(tour, build_model)
    with tempfile.TemporaryDirectory() as d:
        target = Path(d) / "t.gradviz"
        plain = Path(d) / "plain.gradviz"
        save_ms = median_time(lambda: save_lesson(target, lesson), repeat=10)
        write_ms = median_time(lambda: plain.write_bytes(raw), repeat=10)
    out.append(Row("save the tour atomically (fsync + rename)", save_ms, "ms", write_ms,
                   goal=200, note="baseline: write_bytes without fsync"))

    from gradviz.lesson.digest import state_digest

    model = build_model()
    model.from_dict(lesson.model)
    digest_ms = median_time(lambda: state_digest(model), repeat=20)
    to_dict_ms = median_time(lambda: model.to_dict(), repeat=20)
    out.append(Row("modified check after an edit (digest of the whole state)", digest_ms, "ms",
                   to_dict_ms, goal=16.7, note="baseline: model.to_dict(); debounced 120 ms"))

    hostile = b"[" * (MAX_FILE_BYTES // 2) + b"]" * (MAX_FILE_BYTES // 2)
    depth_ms = median_time(lambda: nesting_depth(hostile), repeat=3, warmup=1)
    out.append(Row("nesting check of a 20 MB hostile file", depth_ms, "ms", goal=1000))
    return out
