"""Panels are declared once, Qt-free, beside their models; the catalog finds them cheaply."""

import subprocess
import sys

from gradviz.core.panel_info import PanelInfo
from gradviz.lesson.catalog import build_model, panel_infos


def test_every_panel_is_declared_once_in_menu_order():
    infos = panel_infos()
    names = [p.name for p in infos]
    assert names == ["chapter_map", "tangent", "approaches", "chain", "graph", "trap",
                     "training", "nograd", "surface", "playground", "scenes"]
    assert all(isinstance(p, PanelInfo) and p.title and ":" in p.view for p in infos)


def test_the_model_is_built_from_the_declarations_and_shares_the_mini_network():
    model = build_model()
    assert {"tangent", "approaches", "chain", "graph", "trap", "training", "nograd",
            "surface", "mininet", "scenes", "playground", "playground_ghosts",
            "traced"} == set(model.keys())  # issue 15: the graph editor's PANEL adds "traced"
    assert model["trap"].net is model["mininet"]
    assert model["surface"].mininet is model["mininet"]
    assert build_model() is not model


def test_finding_the_panels_imports_no_qt_and_no_heavy_library():
    code = ("import sys; from gradviz.lesson.catalog import panel_infos; panel_infos(); "
            "bad = [m for m in ('PySide6', 'pyqtgraph', 'OpenGL', 'sympy') if m in sys.modules]; "
            "print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
