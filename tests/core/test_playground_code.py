"""export_code(): a stand-alone script (torch and the standard library only) that replays the run
— hand-added points, the mid-run log — and prints the model's final train loss."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from gradviz.core.playground import PlaygroundModel
from gradviz.core.playground_code import export_code


def _run_script(code: str, tmp_path) -> list[str]:
    path = tmp_path / "exported.py"
    path.write_text(code, encoding="utf-8")
    result = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                            timeout=300, cwd=tmp_path, env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()


def _imports(code: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add((node.module or "").split(".")[0])
    return names


@pytest.mark.parametrize(("dataset", "optimizer"), [("xor", "SGD"), ("three_class", "Adam"),
                                                    ("plane", "RMSprop")])
def test_the_script_reproduces_the_train_loss(tmp_path, dataset, optimizer):
    model = PlaygroundModel()
    model.dataset = dataset
    model.hidden = (5, 3)
    model.optimizer = optimizer
    model.points = model.with_point(0.3, -0.7, 1)
    model.step(23)
    model.lr = 0.03
    model.batch_size = 7
    model.step(9)
    model.regularization = "L1"
    model.optimizer = "SGD"
    model.step(11)
    code = export_code(model)
    assert _imports(code) <= {"__future__", "math", "torch"}
    lines = _run_script(code, tmp_path)
    assert float(lines[-1]) == pytest.approx(model.train_loss, abs=1e-6)
    assert f"updates: {model.steps}" in lines[0]


def test_a_fresh_model_exports_step_zero(tmp_path):
    model = PlaygroundModel()
    model.hidden = ()
    lines = _run_script(export_code(model), tmp_path)
    assert float(lines[-1]) == pytest.approx(model.train_loss, abs=1e-6)


def test_only_validated_values_reach_the_script():
    model = PlaygroundModel()
    model.step(1)
    with pytest.raises(ValueError):
        model.activation = "tanh'); import os; os.system('echo"
    model.log.append((1, "lr", 0.5))
    code = export_code(model)
    assert "import os" not in code and "os.system" not in code
    # A value outside the fixed choices cannot be written even if it were smuggled into the log.
    model.log.append((1, "optimizer", "__import__('os')"))
    with pytest.raises(ValueError):
        export_code(model)
