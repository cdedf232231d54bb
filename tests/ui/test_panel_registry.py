"""The registry's table of built-in panels says exactly what each panel module's SPEC says."""

import pytest

from gradviz.ui.panels import BUILTIN_PANELS, builtin_registry, panel_module


@pytest.mark.parametrize("row", BUILTIN_PANELS, ids=[r[1] for r in BUILTIN_PANELS])
def test_table_row_matches_the_modules_spec(row):
    module, name, title, area, order = row
    spec = panel_module(module).SPEC
    assert (spec.name, spec.title, spec.area, spec.order) == (name, title, area, order)


def test_registry_names_are_unique_and_in_menu_order():
    names = builtin_registry().names()
    assert names == [r[1] for r in sorted(BUILTIN_PANELS, key=lambda r: (r[4], r[1]))]
