"""The scripting API: ``import gradviz`` stays light and Qt-free until a window is asked for."""

import subprocess
import sys

import pytest
import torch

import gradviz


def test_trace_is_reachable_from_the_root_package():
    x = torch.tensor(2.0, requires_grad=True)
    g = gradviz.trace(x * x)
    assert g.nodes[0].op == "MulBackward0"
    assert "trace" in dir(gradviz) and "trace_module" in dir(gradviz)


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError):
        gradviz.no_such_thing  # noqa: B018


def test_tracing_from_a_script_imports_no_qt():
    code = ("import sys, torch, gradviz; x = torch.ones(3, requires_grad=True); "
            "gradviz.trace((x * 2).sum()); "
            "print([m for m in ('PySide6', 'pyqtgraph', 'OpenGL') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stderr
