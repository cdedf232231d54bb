"""Run every benchmark and print one table.

    python benchmarks/run.py [--only SUBSTRING] [--json FILE] [--markdown FILE] [--frozen DIR]

Each ``benchmarks/bench_*.py`` exposes ``rows() -> list[Row]`` (``rows(frozen=DIR)`` where it
cares). Baselines are measured in the same run; see ``benchmarks/table.py``.

Every module runs in a process of its own (``run.py --module NAME``), one after the other, so no
row inherits what an earlier one left behind: global pyqtgraph options, hidden windows, GL
contexts and their threads, a grown heap. A module that crashes or hangs gives a ``failed`` row.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from table import Row, as_json, as_markdown, as_text  # noqa: E402

#: A module that takes longer than this is stopped (the slowest, start-up, takes about 60 s).
MODULE_TIMEOUT_S = 900


def module_rows(name: str, frozen: str | None) -> list[Row]:
    """The rows of one benchmark module, measured in this process."""
    module = importlib.import_module(name)
    kwargs = {"frozen": frozen} if "frozen" in inspect.signature(module.rows).parameters else {}
    return module.rows(**kwargs)


def run_in_child(name: str, frozen: str | None) -> list[Row]:
    """The rows of one module, measured in a fresh interpreter."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "rows.json"
        command = [sys.executable, str(Path(__file__).resolve()), "--module", name,
                   "--rows-to", str(out)] + (["--frozen", frozen] if frozen else [])
        try:
            done = subprocess.run(command, timeout=MODULE_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            return [Row(name, None, "", note=f"failed: no result within {MODULE_TIMEOUT_S} s")]
        if done.returncode != 0 or not out.is_file():
            return [Row(name, None, "", note=f"failed: exit status {done.returncode}")]
        return [Row(**fields) for fields in json.loads(out.read_text(encoding="utf-8"))]


def _child(name: str, frozen: str | None, rows_to: str) -> int:
    try:
        rows = module_rows(name, frozen)
    except Exception as exc:  # one broken benchmark must not hide the others
        traceback.print_exc()
        rows = [Row(name, None, "", note=f"failed: {exc}")]
    Path(rows_to).write_text(json.dumps([r.fields() for r in rows]), encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run only modules whose name contains this")
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    parser.add_argument("--markdown", metavar="FILE", help="also write the rows as Markdown")
    parser.add_argument("--frozen", metavar="DIR", help="a frozen app folder to time too")
    parser.add_argument("--module", help=argparse.SUPPRESS)  # the child side of run_in_child
    parser.add_argument("--rows-to", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.module:
        return _child(args.module, args.frozen, args.rows_to)
    rows: list[Row] = []
    for path in sorted(HERE.glob("bench_*.py")):
        if args.only and args.only not in path.stem:
            continue
        t0 = time.perf_counter()
        rows.extend(run_in_child(path.stem, args.frozen))
        print(f"[{path.stem}] done in {time.perf_counter() - t0:.0f} s", file=sys.stderr,
              flush=True)
    print(as_text(rows))
    if args.json:
        Path(args.json).write_text(as_json(rows) + "\n", encoding="utf-8")
    if args.markdown:
        Path(args.markdown).write_text(as_markdown(rows) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
