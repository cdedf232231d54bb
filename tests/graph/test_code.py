"""PyTorch code in (parsed, never run) and out (a script that runs and prints the same grads)."""

import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from gradviz.graph import CodeImportError, Graph, GraphError, load_example
from gradviz.graph.code_import import MAX_SOURCE_CHARS, TORCH_INPLACE_LEAF_MESSAGE

PYTHON = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "python"
if not PYTHON.exists():  # e.g. a CI runner without the project's venv
    PYTHON = Path(sys.executable)


def kinds(g: Graph) -> list[str]:
    return [n.kind for n in g.nodes]


# --------------------------------------------------------------------------- accepted


def test_a_full_snippet_with_comments_prints_and_imports():
    g = Graph.from_code('''"""A lecture snippet."""
import torch  # the only import

x = torch.tensor(2.0, requires_grad=True)   # leaf
y = torch.tensor(3.0)                        # data: a leaf without grad
w = torch.tensor(-0.5, requires_grad=False)
a = +x * y - 1
b = torch.sigmoid(a) + a.tanh() + torch.relu(-a) + x.exp().log() + torch.sin(w).cos()
c = b.square() / 2 ** x
c = c - x.detach()
print("c =", c, open("/etc/passwd"))   # never run, so never opened
c.backward()
print(x.grad)
''')
    inputs = {n.name: (n.value, n.requires_grad) for n in g.nodes if n.kind == "input"}
    assert inputs == {"x": (2.0, True), "y": (3.0, False), "w": (-0.5, False)}
    assert kinds(g).count("output") == 1
    assert {"sigmoid", "tanh", "relu", "exp", "log", "sin", "cos", "square", "detach", "div",
            "pow", "neg", "sub"} <= set(kinds(g))
    run = g.run()
    assert run.problems == []
    x = torch.tensor(2.0, requires_grad=True)
    y, w = torch.tensor(3.0), torch.tensor(-0.5)
    a = +x * y - 1
    b = torch.sigmoid(a) + a.tanh() + torch.relu(-a) + x.exp().log() + torch.sin(w).cos()
    c = b.square() / 2 ** x
    c = c - x.detach()
    c.backward()
    assert run.values["c"] == c.item() and run.grads["x"] == x.grad.item()


def test_output_is_the_backward_target_else_the_last_assignment():
    g = Graph.from_code("x = torch.tensor(1.0, requires_grad=True)\nz = x * 2\nz.backward()\n"
                        "q = z + 1")
    run = g.run()
    assert g.node(run.output).kind == "output"
    assert g.edges_into(run.output)[0].src == g.node_id("z")
    g = Graph.from_code("x = torch.tensor(1.0, requires_grad=True)\nz = x * 2\nq = z + 1")
    assert g.edges_into(g.run().output)[0].src == g.node_id("q")


def test_augmented_assignment_is_a_rebinding():
    g = Graph.from_code("x = torch.tensor(1.0, requires_grad=True)\nc = x * 3\nc += x\nc **= 2")
    run = g.run()
    assert [n.kind for n in g.nodes if n.name == "c"] == ["mul", "add", "pow"]
    assert run.values["c"] == 16.0 and run.grads["x"] == 2 * 4 * 4


def test_literals_stay_python_numbers_so_grad_fns_match_user_code():
    g = Graph.from_code("x = torch.tensor(2.0, requires_grad=True)\na = x ** 2\n"
                        "e = torch.tensor(2.0)\nb = x ** e\nz = a + b")
    fns = {g.node(i).name: f for i, f in g.run().grad_fns.items()}
    assert fns["a"] == type((torch.tensor(2.0, requires_grad=True) ** 2).grad_fn).__name__
    assert fns["b"] == "PowBackward1"


# --------------------------------------------------------------------------- refused


@pytest.mark.parametrize(("source", "line", "words"), [
    ("import os", 1, "only import allowed is 'import torch'"),
    ("import torch as t", 1, "only import allowed"),
    ("from torch import tensor", 1, "from … import"),
    ("x = __import__('os')", 1, "calling __import__"),
    ("x = open('f')", 1, "calling open"),
    ("eval('1')", 1, "not supported as a statement"),
    ("import torch\nfor i in range(3):\n    pass", 2, "loops"),
    ("while True:\n    pass", 1, "loops"),
    ("def f(x):\n    return x", 1, "function definitions"),
    ("class A:\n    pass", 1, "class definitions"),
    ("with torch.no_grad():\n    pass", 1, "with blocks"),
    ("x = torch.zeros(3)", 1, "torch.zeros is not supported"),
    ("x = torch.tensor(2.0)\ny = torch.nn.functional.relu(x)", 2,
     "torch.nn.functional.relu is not supported"),
    ("x = torch.tensor(2.0)\ny = x + torch.pi", 2, "only torch.tensor and"),
    ("x = torch.tensor(2.0)\ny = x.pow(2)", 2, ".pow() is not supported"),
    ("x = torch.tensor(2.0, dtype=torch.float64)", 1, "only requires_grad"),
    ("x = torch.tensor([1.0, 2.0])", 1, "give it a number"),
    ("x = torch.tensor(2.0)\ny = x // 2", 2, "floor division"),
    ("x = torch.tensor(2.0)\ny = x ^ 2", 2, "x ** 2"),
    ("x = torch.tensor(2.0)\ny = x % 2", 2, "is not supported"),
    ("y = z + 1", 1, "name 'z' is not defined"),
    ("x = torch.tensor(2.0)\ny = x.grad", 2, "is not supported"),
    ("x = 'text'", 1, "only numbers and tensors"),
    ("x = True", 1, "only numbers and tensors"),
    ("x, y = 1, 2", 1, "simple assignments"),
    ("x = torch.tensor(2.0)\nx.grad.zero_()", 2, "not supported as a statement"),
    ("x = torch.tensor(2.0, requires_grad=True)\nx.backward(retain_graph=True)", 2,
     "without arguments"),
    ("x = torch.tensor(2.0)\nz = x\n", 2, "second name"),
    ("torch = 1", 1, "reserved"),
    ("x = torch.tensor(1.0)\nx = torch.tensor(2.0)", 2, "already a leaf"),
    ("y = torch.tensor(2.0, requires_grad=True) * 3", 1, "needs a name"),
    ("x = 1e400", 1, "finite"),
    ("x = 10 ** 400", 0, ""),  # a legal number expression: two constants and a pow
    ("", 0, "no computation found"),
    ("x = (", 1, "not valid Python"),
    ("x = 1\0", 0, "not valid Python"),
])
def test_refusals_name_the_line_and_the_reason(source, line, words):
    if source == "x = 10 ** 400":
        assert Graph.from_code(source).run().values["x"] == float("inf")
        return
    with pytest.raises(CodeImportError) as info:
        Graph.from_code(source)
    assert isinstance(info.value, ValueError)
    assert info.value.line == line
    assert words in str(info.value)


def test_in_place_on_a_leaf_that_requires_grad_quotes_pytorch():
    x = torch.tensor(2.0, requires_grad=True)
    with pytest.raises(RuntimeError) as theirs:
        x += 1
    assert str(theirs.value) == TORCH_INPLACE_LEAF_MESSAGE
    with pytest.raises(CodeImportError, match="PyTorch refuses") as info:
        Graph.from_code("x = torch.tensor(2.0, requires_grad=True)\nx += 1")
    assert TORCH_INPLACE_LEAF_MESSAGE in str(info.value) and info.value.line == 2
    # a leaf without grad may be updated: PyTorch allows it, and it reads as x = x + 1
    g = Graph.from_code("x = torch.tensor(2.0)\nx += 1\nw = torch.tensor(1.0, requires_grad=True)"
                        "\nz = w * x")
    assert g.run().grads == {"x": None, "w": 3.0}


def test_a_2_mb_paste_is_refused_fast():
    source = "x = torch.tensor(2.0, requires_grad=True)\n" + "y = x * 2\n" * 200_000
    assert len(source) > 2_000_000
    t0 = time.perf_counter()
    with pytest.raises(CodeImportError, match="at most"):
        Graph.from_code(source)
    assert time.perf_counter() - t0 < 0.1
    assert MAX_SOURCE_CHARS >= 30_000  # a 1,000-line snippet fits


@pytest.mark.parametrize("source", [
    "z = " + "+".join(["x"] * 30_000),  # RecursionError inside ast.parse
    "z = " + "-" * 50_000 + "1",  # MemoryError inside ast.parse
    "z = " + "(" * 300 + "1" + ")" * 300,  # SyntaxError: too many nested parentheses
    "x = torch.tensor(1.0)\nz = " + " + ".join(["x"] * 5_000),  # too deep for our reader
    "x = torch.tensor(1.0)\nz = " + "torch.sin(" * 250 + "x" + ")" * 250,
])
def test_deep_nesting_is_a_code_import_error_never_a_recursion_error(source):
    t0 = time.perf_counter()
    with pytest.raises(CodeImportError, match="nested|not valid Python|characters long"):
        Graph.from_code(source)
    assert time.perf_counter() - t0 < 2.0


def test_too_many_nodes_is_refused(monkeypatch):
    import gradviz.graph.code_import as code_import

    monkeypatch.setattr(code_import, "MAX_NODES", 10)
    with pytest.raises(CodeImportError, match="more than 10 nodes"):
        Graph.from_code("x = torch.tensor(1.0)\n" + "x = x + 1\n" * 10)


# --------------------------------------------------------------------------- code out


def _run_script(script: str, tmp_path: Path) -> dict[str, float | None]:
    path = tmp_path / "graph_script.py"
    path.write_text(script, encoding="utf-8")
    done = subprocess.run([str(PYTHON), str(path)], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    grads = {}
    for line in done.stdout.splitlines():
        name, _, value = line.partition(".grad = ")
        grads[name] = None if value == "None" else float(value)
    return grads


TRICKY = """
x = torch.tensor(2.0, requires_grad=True)
y = torch.tensor(-3.0, requires_grad=True)
k = torch.tensor(0.25)
c = 2.0
t = x * c
t = t + y ** 2
d = t.detach()
u = -torch.tensor(1.5) + 2.0 ** x
v = (-2.0) * torch.relu(t - d) + u / k + torch.tanh(y).square() - x.sigmoid()
v = v + torch.exp(torch.tensor(0.5)) + torch.log(t)
v.backward()
"""


def test_to_code_runs_in_a_subprocess_and_prints_the_models_grads(tmp_path):
    g = Graph.from_code(TRICKY)
    run = g.run()
    assert run.problems == []
    script = g.to_code()
    assert "+=" not in script and "t_1 = " in script  # the earlier t binding got a fresh name
    assert _run_script(script, tmp_path) == run.grads
    again = Graph.from_code(script)
    assert again.run().grads == run.grads
    assert again.run().values["v"] == run.values["v"]


def test_examples_round_trip_through_code_in_one_subprocess(tmp_path):
    scripts = [load_example(n).to_code() for n in ("chain", "two_paths", "mini_network")]
    runner = tmp_path / "run_all.py"
    paths = []
    for i, s in enumerate(scripts):
        p = tmp_path / f"s{i}.py"
        p.write_text(s, encoding="utf-8")
        paths.append(str(p))
    runner.write_text("import runpy, sys\nfor p in sys.argv[1:]:\n    print('---')\n"
                      "    runpy.run_path(p)\n", encoding="utf-8")
    done = subprocess.run([str(PYTHON), str(runner), *paths], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    chunks = done.stdout.split("---\n")[1:]
    for name, chunk in zip(("chain", "two_paths", "mini_network"), chunks, strict=True):
        printed = {}
        for line in chunk.splitlines():
            leaf, _, value = line.partition(".grad = ")
            printed[leaf] = None if value == "None" else float(value)
        assert printed == load_example(name).run().grads
        assert Graph.from_code(load_example(name).to_code()).run().grads == printed


def test_to_code_refuses_a_graph_that_cannot_run():
    g = Graph()
    g.add_node("mul")
    with pytest.raises(GraphError, match="mul needs two inputs"):
        g.to_code()


def test_unnamed_nodes_get_fresh_names_that_avoid_existing_ones():
    g = Graph()
    x = g.add_node("input", "t1", 1.0, requires_grad=True).id
    m = g.add_node("exp").id
    o = g.add_node("output").id
    g.connect(x, m)
    g.connect(m, o)
    script = g.to_code()
    assert "t2 = torch.exp(t1)" in script and "t2.backward()" in script
    assert Graph.from_code(script).run().grads == g.run().grads


def test_code_import_never_evaluates_anything(monkeypatch):
    import ast
    import builtins

    real_compile = builtins.compile
    compiled = []

    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec called")

    def only_ast(source, filename, mode, flags=0, *args, **kwargs):
        # ast.parse compiles to a syntax tree only; anything else would make runnable code
        assert flags & ast.PyCF_ONLY_AST, "compile() to code objects"
        compiled.append(mode)
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(builtins, "compile", only_ast)
    g = Graph.from_code("import torch\nx = torch.tensor(2.0, requires_grad=True)\n"
                        "print(__import__('os').system('echo hacked'))\nz = x * x")
    monkeypatch.undo()
    assert compiled == ["exec"]  # one parse, to a tree
    assert g.run().grads == {"x": 4.0}
