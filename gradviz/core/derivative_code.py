"""PyTorch snippets that reproduce what the derivative panels show (their Code views).

Every snippet is plain, self-contained Python a student can paste and run; it prints the same
numbers the panel shows (the tests run each one in a subprocess and compare). Function text is
generated from the safe expression tree, never from the raw string the user typed.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

from gradviz.core.approaches import COST_FUNCTION_CODE
from gradviz.core.chain import composed_torch_code, link_label
from gradviz.core.functions1d import compiled


def _torch(source: str) -> str:
    return compiled(source).to_torch_code()


def _num(v: float) -> str:
    return repr(float(v))


def tangent_code(source: str, x: float) -> str:
    """The slope at one point with autograd."""
    return f'''import math
import torch

# f(x) = {compiled(source).source}
x = torch.tensor({_num(x)}, requires_grad=True)   # float32, like most student code
y = {_torch(source)}
y.backward()                     # fills x.grad with dy/dx

print("x =", format(x.item(), ".6g"))
print("f(x) =", format(y.item(), ".6g"))
print("f'(x) =", format(x.grad.item(), ".6g"))
'''


def descent_code(source: str, x0: float, lr: float, steps: int) -> str:
    """The chapter's 1-D gradient-descent loop."""
    return f'''import math
import torch

def f(x):
    return {_torch(source)}

x = torch.tensor({_num(x0)}, requires_grad=True)
lr = {_num(lr)}
for step in range({int(steps)}):
    loss = f(x)
    loss.backward()
    print(f"step {{step}}: x = {{x.item():.6g}}, loss = {{loss.item():.6g}}, grad = {{x.grad.item():.6g}}")
    with torch.no_grad():        # the update itself must not be recorded in the graph
        x -= lr * x.grad
    x.grad.zero_()               # backward() adds into .grad: reset it for the next step
'''


def approaches_code(source: str, x: float, h: float) -> str:
    """Numerical (forward and central), autograd and symbolic derivatives at one point."""
    # sympy takes ~0.4 s to import: only the views that need it pay, never the first frame.
    from gradviz.core.symbolic import to_sympy_code

    sym_code = to_sympy_code(compiled(source).tree)
    frac = Fraction(repr(float(x)))
    return f'''import math
import sympy as sp
import torch

def f(x):
    return {_torch(source)}

# 1. Numerical: nudge x by h and measure the slope (float32, like most student code)
x = torch.tensor({_num(x)})
h = {_num(h)}
forward = (f(x + h) - f(x)) / h
central = (f(x + h) - f(x - h)) / (2 * h)
print("forward difference =", format(forward.item(), ".6g"))
print("central difference =", format(central.item(), ".6g"))

# 2. Autograd: record the forward pass, replay the chain rule backward
x = torch.tensor({_num(x)}, requires_grad=True)
y = f(x)
y.backward()
print("autograd =", format(x.grad.item(), ".6g"))

# 3. Symbolic: the rules of calculus, applied by sympy
x = sp.Symbol("x", real=True)
dfdx = sp.diff({sym_code}, x)
print("symbolic f'(x) =", dfdx)
print("symbolic value =", format(float(dfdx.subs(x, sp.Rational({frac.numerator}, {frac.denominator})).evalf(30)), ".6g"))
'''


def cost_code(n: int) -> str:
    """All n partial derivatives: n + 1 evaluations versus one backward."""
    return f'''import time
import torch

torch.set_num_threads(1)
n = {int(n)}
w = torch.randn(n, dtype=torch.float64)

def f(w):
    return {COST_FUNCTION_CODE}

# Numerical: one extra evaluation per parameter (n + 1 in all)
t0 = time.perf_counter()
with torch.no_grad():
    f0 = f(w).item()
    grad_num = torch.empty(n, dtype=torch.float64)
    for i in range(n):
        saved = w[i].item()
        w[i] = saved + 1e-6
        grad_num[i] = (f(w).item() - f0) / 1e-6
        w[i] = saved
t_num = time.perf_counter() - t0

# Autograd: one forward, one backward
wg = w.clone().requires_grad_(True)
t0 = time.perf_counter()
f(wg).backward()
t_auto = time.perf_counter() - t0

print(f"numerical: {{t_num * 1000:.3g}} ms, autograd: {{t_auto * 1000:.3g}} ms")
print("largest difference:", (wg.grad - grad_num).abs().max().item())
'''


def chain_code(links: list[str] | tuple[str, ...], x: float) -> str:
    """The chain rule by hand (local derivatives from their formulas), then with autograd."""
    head, tail = _chain_parts(tuple(links))
    return head.format(x=_num(x)) + tail.format(x=_num(x))


@lru_cache(maxsize=32)
def _chain_parts(links: tuple[str, ...]) -> tuple[str, str]:
    # sympy differentiation and printing take milliseconds: do them once per chain, not once
    # per slider move (only x changes then). "{x}" is filled in by chain_code.
    import sympy as sp
    from sympy.printing.pycode import pycode

    from gradviz.core.symbolic import to_sympy

    lines = [
        "import math",
        "import torch",
        "",
        "# Chain rule by hand: every link's own derivative, multiplied together",
        "u0 = {x}",
    ]
    exprs = []
    for i, src in enumerate(links, start=1):
        u = sp.Symbol(f"u{i - 1}", real=True)
        expr = to_sympy(compiled(src).tree, {"x": u})
        exprs.append((u, expr))
        lines.append(_braces(f"u{i} = {pycode(expr, fully_qualified_modules=True)}"
                             f"   # link {i}: {link_label(src)}"))
    for i, (u, expr) in enumerate(exprs, start=1):
        d = sp.diff(expr, u)
        lines.append(_braces(f"d{i} = {pycode(d, fully_qualified_modules=True)}"
                             f"   # d u{i} / d u{i - 1}"))
    product = " * ".join(f"d{i}" for i in range(len(links), 0, -1))
    names = ", ".join(f"d{i}" for i in range(1, len(links) + 1))
    lines += [
        f"by_hand = {product}",
        _braces(f'print("locals:", " x ".join(format(d, ".6g") for d in [{names}]))'),
        _braces('print("by hand: dy/dx =", format(by_hand, ".6g"))'),
        "",
    ]
    tail = [
        "# The same with autograd: write the composition, call backward()",
        "x = torch.tensor({x}, dtype=torch.float64, requires_grad=True)",
        _braces(f"y = {composed_torch_code(links)}"),
        "y.backward()",
        _braces('print("y =", format(y.item(), ".6g"))'),
        _braces('print("autograd: dy/dx =", format(x.grad.item(), ".6g"))'),
    ]
    return "\n".join(lines) + "\n", "\n".join(tail) + "\n"


def _braces(text: str) -> str:
    """Escape braces so str.format leaves them alone."""
    return text.replace("{", "{{").replace("}", "}}")
