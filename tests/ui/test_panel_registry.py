"""Every panel is declared once, beside its model; the window's registry is read from there."""

import pytest

from gradviz.lesson.catalog import build_model, panel_infos
from gradviz.ui.panels import builtin_registry
from gradviz.ui.panels.base import spec_of
from gradviz.ui.registry import PanelContext

EXPECTED = ["chapter_map", "tangent", "approaches", "chain", "graph", "trap", "training",
            "nograd", "surface", "playground", "scenes"]


def test_registry_lists_every_declared_panel_in_menu_order():
    registry = builtin_registry()
    assert registry.names() == EXPECTED
    assert [registry.title(n) for n in EXPECTED] == [p.title for p in panel_infos()]


@pytest.mark.parametrize("name", EXPECTED)
def test_a_panel_takes_its_name_and_title_from_its_declaration(qtbot, name):
    registry = builtin_registry()
    spec = registry[name]
    panel = spec.factory(PanelContext(model=build_model(), spec=spec,
                                      panel_names=registry.names, panel_title=registry.title))
    qtbot.addWidget(panel)
    assert spec_of(type(panel)).view == spec.view
    assert (panel.panel_name, panel.title) == (spec.name, spec.title)
    panel.teardown()


def test_chapter_map_reads_titles_from_the_registry(qtbot):
    registry = builtin_registry()
    ctx = PanelContext(model=build_model(), spec=registry["chapter_map"],
                       panel_names=registry.names, panel_title=registry.title)
    panel = registry["chapter_map"].factory(ctx)
    qtbot.addWidget(panel)
    texts = {card.button.text() for card in panel.cards}
    assert "Open Graph editor" in texts and "Open no_grad && detach" in texts
    panel.teardown()
