import math

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradviz.core.expr import ExpressionError, compile_expression, derivative, parse_expression


def test_chapter_preset_values_and_slopes():
    f = compile_expression("0.5*(x-3)**2")
    x = torch.tensor([0.0, 3.0, 5.0])
    torch.testing.assert_close(f(x), torch.tensor([4.5, 0.0, 2.0]))
    _, slope = derivative(f, x)
    torch.testing.assert_close(slope, torch.tensor([-3.0, 0.0, 2.0]))


def test_two_variables_take_positional_arguments_in_declared_order():
    f = compile_expression("x**2 + 2*x*y", variables=("x", "y"))
    x = torch.tensor(1.0, requires_grad=True)
    y = torch.tensor(2.0, requires_grad=True)
    out = f(x, y)
    out.backward()
    assert out.item() == pytest.approx(5.0)
    assert x.grad.item() == pytest.approx(2 * 1 + 2 * 2)  # the chapter's df/dx = 2x + 2y
    assert y.grad.item() == pytest.approx(2 * 1)  # df/dy = 2x


def test_constant_broadcasts_over_a_grid_and_has_zero_slope():
    f = compile_expression("5", variables=("x", "y"))
    grid = torch.zeros(3, 4)
    out = f(grid, grid)
    assert out.shape == (3, 4) and torch.all(out == 5)
    _, slope = derivative(compile_expression("5"), torch.linspace(0, 1, 4))
    assert torch.all(slope == 0)


def test_huge_power_is_inf_immediately_not_a_hang():
    f = compile_expression("9**9**9**9")
    assert math.isinf(f(torch.tensor(0.0)).item())


def test_constants_and_functions():
    f = compile_expression("sin(pi/2) + log(e) + relu(-x) + sigmoid(0*x) + softplus(0*x)")
    assert f(torch.tensor(1.0)).item() == pytest.approx(1 + 1 + 0 + 0.5 + math.log(2), rel=1e-6)


@pytest.mark.parametrize("source, fragment", [
    ("z + 1", "unknown name 'z': this function takes x"),
    ("x.real", "attribute access"),
    ("x[0]", "indexing"),
    ("'a'", "text is not allowed"),
    ("lambda: 1", "lambda"),
    ("[i for i in x]", "comprehensions"),
    ("sin(x=1)", "exactly one argument"),
    ("open(x)", "unknown function 'open'"),
    ("__import__('os')", "unknown function '__import__'"),
    ("x ^ 2", "write x**2"),
    ("2x", "missing '*'"),
    ("x if x else x", "if ... else"),
    ("x < 1", "comparisons"),
    ("", "type an expression"),
    ("1j", "complex"),
    ("True", "only numbers"),
    ("x\n+1", "one line"),
])
def test_refusals_carry_a_student_readable_message(source, fragment):
    with pytest.raises(ExpressionError) as info:
        compile_expression(source)
    assert fragment in str(info.value)


def test_column_points_at_the_offending_name():
    with pytest.raises(ExpressionError) as info:
        compile_expression("x + 2*zeta")
    assert info.value.column == 7


def test_overlong_input_is_checked_before_parsing():
    with pytest.raises(ExpressionError, match="too long"):
        compile_expression("x+" * 400 + "x")


@pytest.mark.parametrize("source", ["(" * 200 + "x" + ")" * 200, "-" * 480 + "x",
                                    "+".join(["x"] * 240), "2**" * 150 + "x"])
def test_deep_nesting_never_escapes_as_recursion_error(source):
    try:
        compile_expression(source)
    except ExpressionError:
        pass


def test_tree_is_exposed_and_round_trips_to_source():
    f = compile_expression("-x**2 + (x - 1)/(2*x)")
    assert parse_expression(f.to_torch_code()) == f.tree


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=60))
def test_random_text_only_ever_raises_expression_error(text):
    try:
        f = compile_expression(text)
    except ExpressionError:
        return
    f(torch.linspace(-1, 1, 5))


# -- random valid expressions agree with the same formula written directly in torch --------
UNARY = {
    "sin": torch.sin, "cos": torch.cos, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
    "exp": torch.exp,
    "softplus": torch.nn.functional.softplus, "abs": torch.abs,
}


def _exprs():
    leaves = st.one_of(
        st.just(("x", lambda x, y: x)),
        st.just(("y", lambda x, y: y)),
        st.floats(0.1, 5, allow_nan=False).map(lambda v: round(v, 3)).map(
            lambda v: (repr(v), lambda x, y, v=v: torch.tensor(v, dtype=torch.float64))),
    )

    def extend(children):
        binop = st.tuples(st.sampled_from(["+", "-", "*"]), children, children).map(
            lambda t: (f"({t[1][0]} {t[0]} {t[2][0]})",
                       lambda x, y, t=t: {"+": torch.add, "-": torch.sub, "*": torch.mul}[t[0]](
                           t[1][1](x, y), t[2][1](x, y))))
        call = st.tuples(st.sampled_from(sorted(UNARY)), children).map(
            lambda t: (f"{t[0]}({t[1][0]})", lambda x, y, t=t: UNARY[t[0]](t[1][1](x, y))))
        square = children.map(lambda c: (f"({c[0]})**2", lambda x, y, c=c: c[1](x, y) ** 2))
        return st.one_of(binop, call, square)

    return st.recursive(leaves, extend, max_leaves=8)


@settings(max_examples=150, deadline=None)
@given(_exprs(), st.floats(-2, 2), st.floats(-2, 2))
def test_random_expressions_match_direct_torch(expr, xv, yv):
    source, direct = expr
    f = compile_expression(source, variables=("x", "y"))
    x1 = torch.tensor(xv, dtype=torch.float64, requires_grad=True)
    y1 = torch.tensor(yv, dtype=torch.float64, requires_grad=True)
    x2 = x1.detach().clone().requires_grad_(True)
    y2 = y1.detach().clone().requires_grad_(True)
    ours = f(x1, y1)
    theirs = direct(x2, y2)
    torch.testing.assert_close(ours, theirs.expand(ours.shape), equal_nan=True)
    if ours.requires_grad:
        g1 = torch.autograd.grad(ours, (x1, y1), allow_unused=True, materialize_grads=True)
        g2 = torch.autograd.grad(theirs, (x2, y2), allow_unused=True, materialize_grads=True)
        for a, b in zip(g1, g2, strict=True):
            torch.testing.assert_close(a, b, equal_nan=True)


def test_gradcheck_in_float64():
    f = compile_expression("sin(x)*exp(-y) + x**3/(1 + y**2)", variables=("x", "y"))
    x = torch.tensor([0.3, -1.2], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([0.7, 2.0], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(f, (x, y))
