"""Every panel is declared once, beside its model; the window's registry is read from there."""

import pytest

from gradviz.lesson.catalog import panel_infos
from gradviz.ui.panels import builtin_registry
from gradviz.ui.panels.base import spec_of

EXPECTED = ["chapter_map", "tangent", "approaches", "chain", "graph", "trap", "training",
            "nograd", "surface", "playground", "scenes"]


def test_registry_lists_every_declared_panel_in_menu_order():
    registry = builtin_registry()
    assert registry.names() == EXPECTED
    assert [registry.title(n) for n in EXPECTED] == [p.title for p in panel_infos()]


@pytest.mark.parametrize("name", EXPECTED)
def test_a_panel_takes_its_name_and_title_from_its_declaration(declared_panel, name):
    spec = builtin_registry()[name]
    panel = declared_panel(name)
    assert spec_of(type(panel)).view == spec.view
    assert (panel.panel_name, panel.title) == (spec.name, spec.title)


def test_chapter_map_reads_titles_from_the_registry(declared_panel):
    panel = declared_panel("chapter_map")
    texts = {card.button.text() for card in panel.cards}
    assert "Open Graph editor" in texts and "Open no_grad && detach" in texts
