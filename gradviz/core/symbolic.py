"""Symbolic derivatives with sympy, built from the safe expression tree (see
:mod:`gradviz.core._symbolic` for how). sympy takes about 0.4 s to import, so it is imported when
a name of this module is first used, never at start-up."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    from gradviz.core import _symbolic

    return getattr(_symbolic, name)
