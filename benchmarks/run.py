"""Run every benchmark and print one table.

    python benchmarks/run.py [--only SUBSTRING] [--json FILE] [--markdown FILE] [--frozen DIR]

Each ``benchmarks/bench_*.py`` exposes ``rows() -> list[Row]`` (``rows(frozen=DIR)`` where it
cares). Baselines are measured in the same run; see ``benchmarks/table.py``.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import sys
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from table import Row, as_json, as_markdown, as_text  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run only modules whose name contains this")
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    parser.add_argument("--markdown", metavar="FILE", help="also write the rows as Markdown")
    parser.add_argument("--frozen", metavar="DIR", help="a frozen app folder to time too")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    for path in sorted(HERE.glob("bench_*.py")):
        if args.only and args.only not in path.stem:
            continue
        try:
            module = importlib.import_module(path.stem)
            kwargs = {"frozen": args.frozen} if "frozen" in inspect.signature(module.rows).parameters else {}
            rows.extend(module.rows(**kwargs))
        except Exception as exc:  # one broken benchmark must not hide the others
            traceback.print_exc()
            rows.append(Row(path.stem, None, "", note=f"failed: {exc}"))
        print(f"[{path.stem}] done", file=sys.stderr, flush=True)
    print(as_text(rows))
    if args.json:
        Path(args.json).write_text(as_json(rows) + "\n", encoding="utf-8")
    if args.markdown:
        Path(args.markdown).write_text(as_markdown(rows) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
