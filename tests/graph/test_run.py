"""Running graphs: the numbers must be PyTorch's own, edge by edge and run after run."""

import math

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradviz.graph import Edge, Graph, GraphError, load_example

TWO_PATHS = """
x = torch.tensor(2.0, requires_grad=True)
y = torch.tensor(3.0, requires_grad=True)
a = x * y
b = x ** 2
z = a + b
z.backward()
"""


def check_identity(g: Graph, run) -> None:
    """A node's gradient for this run is the sum of its outgoing edges' contributions."""
    assert not [p for p in run.problems if "internal check" in p]
    for node in g.nodes:
        if node.kind == "output":
            continue
        parts = [run.edge_grads[e] for e in g.edges_from(node.id) if run.edge_grads[e] is not None]
        grad = run.node_grads[node.id]
        if grad is None:
            assert parts == []
        elif math.isfinite(grad):
            assert grad == pytest.approx(sum(parts), rel=1e-5, abs=1e-6)


def edge(g: Graph, src: str, dst: str) -> Edge:
    (found,) = [e for e in g.edges if g.node(e.src).name == src and g.node(e.dst).name == dst]
    return found


# --------------------------------------------------------------------------- the chapter


def test_two_paths_gives_the_chapter_numbers_and_real_grad_fns():
    g = Graph.from_code(TWO_PATHS)
    run = g.run()
    assert run.problems == []
    assert run.values["z"] == 10.0
    assert run.grads == {"x": 7.0, "y": 2.0}
    # dz/dx = (through a) + (through b) = 3 + 4 = 7
    assert run.edge_grads[edge(g, "x", "a")] == 3.0
    assert run.edge_grads[edge(g, "x", "b")] == 4.0
    fns = {g.node(i).name: f for i, f in run.grad_fns.items() if g.node(i).name}
    assert fns == {"x": None, "y": None, "a": "MulBackward0", "b": "PowBackward0",
                   "z": "AddBackward0"}
    check_identity(g, run)


@pytest.mark.parametrize(("name", "values", "grads"), [
    ("chain", {"y": 49.0}, {"x": 42.0}),
    ("two_paths", {"z": 10.0}, {"x": 7.0, "y": 2.0}),
    ("mini_network", {"loss": pytest.approx(0.04)},
     {"w": pytest.approx(0.4), "b": pytest.approx(0.4), "x": None, "y": None}),
])
def test_examples(name, values, grads):
    g = load_example(name)
    run = g.run()
    assert run.problems == []
    assert {k: run.values[k] for k in values} == values
    assert run.grads == grads
    check_identity(g, run)


def test_examples_agree_with_the_core_mini_network():
    from gradviz.core.mininet import MiniNetwork

    w = torch.tensor(0.5, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    MiniNetwork().single_loss(w, b).backward()
    assert load_example("mini_network").run().grads["w"] == w.grad.item()


def test_an_intermediate_with_fan_out_gets_the_sum_of_its_edges():
    g = Graph.from_code("""
x = torch.tensor(1.5, requires_grad=True)
h = torch.sin(x)
p = h * h
q = h.exp()
z = p + q + h
""")
    run = g.run()
    h = g.node_id("h")
    assert len(g.edges_from(h)) == 4  # twice into mul, into exp, into the last add
    hv = math.sin(1.5)
    assert run.node_grads[h] == pytest.approx(2 * hv + math.exp(hv) + 1, rel=1e-6)
    check_identity(g, run)


def test_x_times_x_has_two_edges_with_a_share_each():
    g = Graph.from_code("x = torch.tensor(3.0, requires_grad=True)\nz = x * x")
    run = g.run()
    shares = [run.edge_grads[e] for e in g.edges_from(g.node_id("x"))]
    assert shares == [3.0, 3.0] and run.grads["x"] == 6.0


# --------------------------------------------------------------------------- accumulation


def test_run_without_zero_grad_accumulates_exactly_like_pytorch():
    g = Graph.from_code(TWO_PATHS)
    assert g.run().grads["x"] == 7.0
    assert g.run(zero_grad=False).grads["x"] == 14.0
    third = g.run(zero_grad=False)
    assert third.grads["x"] == 21.0
    # this run's own gradient does not accumulate: intermediates are new tensors each forward
    assert third.node_grads[g.node_id("x")] == 7.0
    assert third.leaf_grads[g.node_id("x")] == 21.0
    assert g.run().grads["x"] == 7.0


def test_leaves_are_persistent_tensors():
    g = Graph.from_code(TWO_PATHS)
    leaf = g.leaf("x")
    g.run()
    assert g.leaf("x") is leaf and leaf.grad.item() == 7.0
    g.set_value(g.node_id("x"), 1.0)  # like an optimizer step: in place, .grad survives
    assert g.leaf("x") is leaf and leaf.item() == 1.0 and leaf.grad.item() == 7.0
    assert g.run(zero_grad=False).grads["x"] == 7.0 + (3.0 + 2.0)


def test_zero_grad_sets_none_and_the_zero__form_fails_before_any_backward():
    g = Graph.from_code(TWO_PATHS)
    with pytest.raises(AttributeError) as ours:
        g.zero_grad(set_to_none=False)
    w = torch.tensor(1.0, requires_grad=True)
    with pytest.raises(AttributeError) as theirs:
        w.grad.zero_()
    assert str(ours.value) == str(theirs.value)
    g.run()
    g.zero_grad(set_to_none=False)
    assert g.leaf("x").grad.item() == 0.0
    g.zero_grad()
    assert g.leaf("x").grad is None


# --------------------------------------------------------------------------- backward again


def _torch_second_backward_error() -> str:
    x = torch.tensor(2.0, requires_grad=True)
    z = x * x
    z.backward()
    with pytest.raises(RuntimeError) as info:
        z.backward()
    return str(info.value)


def test_backward_again_raises_what_torch_raises_for_mul():
    g = Graph.from_code(TWO_PATHS)
    g.run()
    with pytest.raises(RuntimeError) as info:
        g.backward()
    assert str(info.value) == _torch_second_backward_error()
    assert "backward through the graph a second time" in str(info.value)


def test_backward_again_works_for_additions_alone_and_accumulates():
    g = Graph.from_code("""
x = torch.tensor(2.0, requires_grad=True)
y = torch.tensor(3.0, requires_grad=True)
z = x + y + x
""")
    assert g.run().grads == {"x": 2.0, "y": 1.0}
    again = g.backward()
    assert again.grads == {"x": 4.0, "y": 2.0}
    assert again.node_grads[g.node_id("x")] == 2.0


def test_retain_graph_allows_backward_again():
    g = Graph.from_code(TWO_PATHS)
    g.run(retain_graph=True)
    assert g.backward().grads["x"] == 14.0
    with pytest.raises(RuntimeError, match="second time"):
        g.backward()


def test_backward_before_any_run_is_refused():
    with pytest.raises(GraphError, match="run the graph first"):
        Graph.from_code(TWO_PATHS).backward()


def test_backward_uses_the_last_forward_not_the_edited_graph():
    g = Graph.from_code("x = torch.tensor(2.0, requires_grad=True)\nz = x + x")
    g.run()
    g.set_value(1, 10.0)
    assert g.backward().node_values[g.node_id("z")] == 4.0


# --------------------------------------------------------------------------- detach


def test_detach_stops_the_flow_and_grad_stays_none():
    g = Graph.from_code("""
x = torch.tensor(2.0, requires_grad=True)
y = torch.tensor(3.0, requires_grad=True)
d = x.detach()
z = d * y
""")
    run = g.run()
    assert run.grads == {"x": None, "y": 2.0}  # None, not 0, exactly as PyTorch
    assert run.node_grads[g.node_id("x")] is None
    assert run.edge_grads[edge(g, "x", "d")] is None
    assert run.grad_fns[g.node_id("d")] is None
    check_identity(g, run)


def test_output_that_does_not_require_grad_reports_torchs_message():
    g = Graph.from_code("x = torch.tensor(2.0, requires_grad=True)\nz = x.detach() * 3")
    run = g.run()
    assert run.problems == ["element 0 of tensors does not require grad and does not have a "
                            "grad_fn"]
    assert run.values["z"] == 6.0 and run.grads == {"x": None}
    assert run.backward_steps == [] and not run.backward_ran
    with pytest.raises(RuntimeError, match="does not require grad"):
        g.backward()


def test_requires_grad_off_is_a_real_leaf_without_grad():
    g = Graph.from_code(TWO_PATHS)
    g.set_requires_grad(g.node_id("y"), False)
    run = g.run()
    assert run.grads == {"x": 7.0, "y": None}
    assert g.leaf("y").requires_grad is False


# --------------------------------------------------------------------------- broken graphs


def test_broken_graphs_give_problems_not_exceptions():
    g = Graph()
    x = g.add_node("input", "x", 2.0, requires_grad=True).id
    m = g.add_node("mul").id
    g.connect(x, m, "a")
    run = g.run()
    assert "mul needs a second input" in run.problems
    assert any("no output" in p for p in run.problems)
    assert run.node_values[x] == 2.0 and run.node_values[m] is None
    out = g.add_node("output").id
    g.connect(m, out)
    run = g.run()
    assert "mul needs a second input" in run.problems
    assert not any("no output" in p for p in run.problems)
    g.add_node("output")
    assert any("2 outputs" in p for p in g.run().problems)
    empty = Graph().run()
    assert empty.problems and empty.values == {}


def test_unconnected_output_and_binary_without_inputs():
    g = Graph()
    g.add_node("add")
    g.add_node("output")
    problems = g.run().problems
    assert "add needs two inputs" in problems
    assert any("the output has no input" in p for p in problems)


def test_division_by_zero_and_log_of_negative_are_flagged():
    g = Graph.from_code("""
x = torch.tensor(0.0, requires_grad=True)
q = 1 / x
n = torch.log(x - 1)
z = q + n
""")
    run = g.run()
    assert run.flags[g.node_id("q")][0] == "value is inf"
    assert run.flags[g.node_id("n")][0] == "value is nan"
    x = torch.tensor(0.0, requires_grad=True)
    z = 1 / x + torch.log(x - 1)
    z.backward()
    assert math.isnan(run.values["z"]) and math.isnan(z.item())
    assert run.grads["x"] == x.grad.item() == -math.inf
    assert "gradient is -inf" in run.flags[g.node_id("x")]
    assert run.problems == []


# --------------------------------------------------------------------------- schedules


def test_forward_schedule_is_topological_and_backward_fills_running_sums():
    g = Graph.from_code(TWO_PATHS)
    run = g.run()
    seen = set()
    for step in run.forward_steps:
        assert all(e.src in seen for e in g.edges_into(step.node))
        seen.add(step.node)
    assert seen == {n.id for n in g.nodes}
    out = run.output
    assert run.backward_steps[0].edge.dst == out and run.backward_steps[0].contribution == 1.0
    x = g.node_id("x")
    into_x = [s for s in run.backward_steps if s.edge.src == x]
    assert sorted(s.contribution for s in into_x) == [3.0, 4.0]
    assert [s.last for s in into_x] == [False, True] and all(s.merge for s in into_x)
    assert into_x[-1].running_sum == 7.0 == into_x[-1].total
    # a node passes gradient on only after all its consumers have sent theirs
    done: dict[int, int] = {}
    for step in run.backward_steps:
        src_total = sum(1 for e in g.edges_from(step.edge.dst) if run.edge_grads[e] is not None)
        if g.node(step.edge.dst).kind != "output":
            assert done.get(step.edge.dst, 0) == src_total
        done[step.edge.src] = done.get(step.edge.src, 0) + 1


# --------------------------------------------------------------------------- random programs


OPS2 = ["+", "-", "*", "/", "**"]
FUNCS = ["relu", "tanh", "sigmoid", "exp", "log", "sin", "cos", "square"]


def expressions(names: list[str], smooth: bool = False):
    leaf = st.one_of(st.sampled_from(names).map(lambda n: ("var", n)),
                     st.sampled_from([0.5, 1.0, 2.0, -1.5, 3.0]).map(lambda c: ("const", c)))
    funcs = ["tanh", "sigmoid", "sin", "cos", "square"] if smooth else FUNCS
    ops = ["+", "-", "*"] if smooth else OPS2

    def extend(children):
        return st.one_of(
            st.tuples(st.just("bin"), st.sampled_from(ops), children, children),
            st.tuples(st.just("fn"), st.sampled_from(funcs), children),
            st.tuples(st.just("neg"), children),
            *([] if smooth else [st.tuples(st.just("detach"), children)]),
        )

    return st.recursive(leaf, extend, max_leaves=8)


def render(e) -> str:
    tag = e[0]
    if tag == "var":
        return e[1]
    if tag == "const":
        return f"({e[1]!r})"
    if tag == "bin":
        return f"({render(e[2])} {e[1]} {render(e[3])})"
    if tag == "fn":
        return f"torch.{e[1]}({render(e[2])})" if len(e[1]) % 2 else f"({render(e[2])}).{e[1]}()"
    if tag == "neg":
        return f"(-{render(e[1])})"
    return f"({render(e[1])}).detach()"


def direct(e, env, dtype):
    """The same formula written directly in torch, as a student would."""
    tag = e[0]
    if tag == "var":
        return env[e[1]]
    if tag == "const":
        return e[1]
    if tag == "bin":
        a, b = direct(e[2], env, dtype), direct(e[3], env, dtype)
        if not isinstance(a, torch.Tensor) and not isinstance(b, torch.Tensor):
            a = torch.tensor(a, dtype=dtype)
        return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b,
                "**": lambda: a ** b}[e[1]]()
    a = direct(e[-1], env, dtype)
    if not isinstance(a, torch.Tensor):
        a = torch.tensor(a, dtype=dtype)
    if tag == "fn":
        return getattr(torch, e[1])(a)
    return -a if tag == "neg" else a.detach()


def same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return bool(torch.isclose(torch.tensor(a), torch.tensor(b), rtol=1e-5, atol=1e-6,
                              equal_nan=True))


programs = st.lists(st.integers(0, 10**6), min_size=1, max_size=3).flatmap(
    # "v = x" alone only renames x, which code import refuses; every statement computes.
    lambda seeds: st.tuples(*[expressions(["x", "y", "c"] + [f"v{j}" for j in range(i)])
                              .filter(lambda e: e[0] != "var") for i in range(len(seeds))]))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prog=programs, xv=st.floats(-3, 3), yv=st.floats(0.1, 3))
def test_random_programs_match_direct_torch(prog, xv, yv):
    lines = [f"x = torch.tensor({xv!r}, requires_grad=True)",
             f"y = torch.tensor({yv!r}, requires_grad=True)",
             "c = torch.tensor(0.7)"]
    lines += [f"v{i} = {render(e)}" for i, e in enumerate(prog)]
    g = Graph.from_code("\n".join(lines))
    run = g.run()

    env = {"x": torch.tensor(xv, requires_grad=True), "y": torch.tensor(yv, requires_grad=True),
           "c": torch.tensor(0.7)}
    for i, e in enumerate(prog):
        v = direct(e, env, torch.float32)
        env[f"v{i}"] = v if isinstance(v, torch.Tensor) else torch.tensor(v)
    out = env[f"v{len(prog) - 1}"]
    try:
        out.backward()
        error = None
    except RuntimeError as exc:
        error = str(exc)
    if error is None:
        assert run.problems == []
    else:
        assert run.problems == [error]
    assert same(run.values[f"v{len(prog) - 1}"], out.item())
    for name in ("x", "y", "c"):
        t = env[name].grad
        assert same(run.grads[name], None if t is None else t.item()), name
    check_identity(g, run)


@settings(max_examples=15, deadline=None)
@given(expr=expressions(["x", "y"], smooth=True), xv=st.floats(-2, 2), yv=st.floats(-2, 2))
def test_gradcheck_in_float64(expr, xv, yv):
    g = Graph.from_code(f"x = torch.tensor({xv!r}, requires_grad=True)\n"
                        f"y = torch.tensor({yv!r}, requires_grad=True)\n"
                        f"z = x * 0.0 + {render(expr)}")
    fn, names = g.as_function("float64")
    assert names == ["x", "y"]
    inputs = (torch.tensor(xv, dtype=torch.float64, requires_grad=True),
              torch.tensor(yv, dtype=torch.float64, requires_grad=True))
    assert torch.autograd.gradcheck(fn, inputs)
    # and the run itself in float64 reports the same gradients as autograd.grad
    run = g.run(dtype="float64")
    grads = torch.autograd.grad(fn(*inputs), inputs, allow_unused=True)
    for name, gr in zip(names, grads, strict=True):
        if gr is None:  # the formula does not use this leaf: .grad stays None
            assert run.grads[name] is None
        else:
            assert run.grads[name] == pytest.approx(gr.item(), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("name", ["chain", "two_paths", "mini_network"])
def test_gradcheck_examples_and_non_smooth_ops(name):
    g = load_example(name)
    fn, names = g.as_function("float64")
    leaves = [torch.tensor(g.input_named(n).value, dtype=torch.float64, requires_grad=True)
              for n in names]
    assert torch.autograd.gradcheck(fn, tuple(leaves))


def test_gradcheck_div_log_pow():
    g = Graph.from_code("""
x = torch.tensor(1.3, requires_grad=True)
y = torch.tensor(0.6, requires_grad=True)
z = torch.log(x) / y + x ** y - torch.exp(-x) + torch.relu(x - 2 * y)
""")
    fn, _ = g.as_function()
    inputs = (torch.tensor(1.3, dtype=torch.float64, requires_grad=True),
              torch.tensor(0.6, dtype=torch.float64, requires_grad=True))
    assert torch.autograd.gradcheck(fn, inputs)


def test_dtype_switch_recreates_leaves():
    g = Graph.from_code(TWO_PATHS)
    g.run()
    assert g.run(dtype="float64").dtype == "float64" and g.leaf("x").dtype == torch.float64
    with pytest.raises(GraphError, match="dtype"):
        g.run(dtype="int8")


def test_a_leaf_wired_straight_to_the_output():
    g = Graph()
    x = g.add_node("input", "x", 5.0, requires_grad=True).id
    out = g.add_node("output").id
    g.connect(x, out)
    run = g.run()
    assert run.problems == [] and run.grads == {"x": 1.0}
    assert run.edge_grads[Edge(x, out, "x")] == 1.0 and run.node_grads[x] == 1.0
    assert run.grad_fns[out] is None  # x.backward() on a leaf: there is no grad_fn


def test_run_backward_and_zero_grad_emit_events():
    g = Graph.from_code("x = torch.tensor(2.0, requires_grad=True)\nz = x + x")
    seen = []
    g.events.ran.connect(seen.append)
    g.events.grads_zeroed.connect(lambda: seen.append("zeroed"))
    first = g.run()
    again = g.backward()
    g.zero_grad()
    assert seen == [first, again, "zeroed"]
    assert again.grads == {"x": 4.0}
