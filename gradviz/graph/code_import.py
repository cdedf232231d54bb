"""Reading a PyTorch snippet into a graph — by parsing it with :mod:`ast`, never by running it.

Accepted, statement by statement (everything else is refused with :class:`CodeImportError`):

* ``import torch``, ``print(...)`` (ignored, arguments unread), comments and bare strings;
* ``x = torch.tensor(2.0, requires_grad=True)`` — a leaf (``requires_grad`` may be omitted or
  False); an inline ``torch.tensor(v)`` or a number literal is a constant;
* ``name = expression`` with ``+ - * / **``, unary minus, the functions ``torch.f(e)`` and the
  methods ``e.f()`` for f in relu, tanh, sigmoid, exp, log, sin, cos, square, and ``e.detach()``;
* ``c += e`` (and ``-= *= /= **=``), read as ``c = c + e``; refused on a leaf that requires
  grad, quoting PyTorch's own refusal of that in-place operation;
* ``z.backward()`` marks the output (at most once); without it the last assigned name is.

The size is checked before parsing, and the parser's own failures on pathological input
(``RecursionError``/``MemoryError`` on thousands of chained operators, ``SyntaxError``) become
:class:`CodeImportError` too, so a paste can neither hang nor crash the app.
"""

from __future__ import annotations

import ast
from typing import NoReturn

from gradviz.graph.elements import MAX_NODES, Edge, GraphError, Node, check_name, check_value
from gradviz.graph.ops import BINARY_BY_SYMBOL, FUNCTION_KINDS, KINDS

#: At most this many characters are read (a 1,000-line lecture snippet is ~30 kB).
MAX_SOURCE_CHARS = 100_000
#: Deepest expression nesting we follow; deeper is refused before Python's own limit bites.
MAX_DEPTH = 200

#: PyTorch's message when an in-place operation hits a leaf that requires grad.
TORCH_INPLACE_LEAF_MESSAGE = "a leaf Variable that requires grad is being used in an in-place operation."

_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_OPERATOR_HINTS = {
    ast.BitXor: "'^' is not a power in Python: write x ** 2",
    ast.FloorDiv: "'//' (floor division) is not supported: use '/'",
    ast.MatMult: "'@' (matrix product) is not supported: the graph holds scalars",
}
_STATEMENT_NAMES = {
    ast.For: "loops", ast.AsyncFor: "loops", ast.While: "loops",
    ast.FunctionDef: "function definitions", ast.AsyncFunctionDef: "function definitions",
    ast.ClassDef: "class definitions", ast.If: "if statements", ast.With: "with blocks",
    ast.AsyncWith: "with blocks", ast.Try: "try blocks", ast.Delete: "del",
    ast.Global: "global", ast.Nonlocal: "nonlocal", ast.Return: "return", ast.Raise: "raise",
    ast.Assert: "assert", ast.Pass: "pass", ast.Break: "break", ast.Continue: "continue",
    ast.ImportFrom: "from … import", ast.AnnAssign: "annotated assignments",
    ast.Match: "match statements",
}


class CodeImportError(ValueError):
    """Code that cannot be read into a graph; ``line`` and ``column`` are 1-based (0 when the
    error is not about one place), so an entry field can point at the offending character."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        self.message = message
        self.line = line
        self.column = column
        super().__init__(f"line {line}: {message}" if line else message)


def _describe(node: ast.AST) -> str:
    try:
        text = ast.unparse(node)
    except Exception:  # unparse of a hand-made or odd tree: fall back to the node type
        return type(node).__name__
    return text if len(text) <= 60 else text[:57] + "..."


def _torch_path(node: ast.AST) -> str:
    """``"torch.nn.functional.relu"`` for an attribute chain rooted at ``torch``, else ""."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id == "torch" and parts:
        return ".".join(["torch", *reversed(parts)])
    return ""


class _Reader:
    def __init__(self) -> None:
        self.nodes: dict[int, Node] = {}
        self.edges: dict[tuple[int, str], Edge] = {}
        self.env: dict[str, int] = {}
        self.leaf_names: set[str] = set()
        self.output: int | None = None
        self.last_assigned: int | None = None
        self.line = 0

    def fail(self, message: str, at: ast.AST | None = None) -> NoReturn:
        raise CodeImportError(message, getattr(at, "lineno", self.line),
                              getattr(at, "col_offset", -1) + 1)

    def new(self, kind: str, inputs: tuple[int, ...] = (), name: str = "",
            value: float | None = None, requires_grad: bool = False) -> int:
        if len(self.nodes) >= MAX_NODES:
            self.fail(f"the code makes more than {MAX_NODES} nodes, the most a graph holds")
        nid = len(self.nodes) + 1
        self.nodes[nid] = Node(nid, kind, name, value, requires_grad)
        for port, src in zip(KINDS[kind].port_names, inputs, strict=True):
            self.edges[(nid, port)] = Edge(src, nid, port)
        return nid

    # ---------------------------------------------------------------- statements

    def statement(self, st: ast.stmt) -> None:
        self.line = st.lineno
        if isinstance(st, ast.Import):
            if [(a.name, a.asname) for a in st.names] != [("torch", None)]:
                self.fail(f"'{_describe(st)}' is not supported: the only import allowed is "
                          "'import torch'", st)
            return
        if isinstance(st, ast.Expr):
            return self.expression_statement(st)
        if isinstance(st, ast.Assign):
            if len(st.targets) != 1 or not isinstance(st.targets[0], ast.Name):
                self.fail("only simple assignments 'name = expression' are supported", st)
            return self.assign(st.targets[0].id, st.value, st)
        if isinstance(st, ast.AugAssign):
            return self.augmented(st)
        what = _STATEMENT_NAMES.get(type(st), f"'{_describe(st)}'")
        self.fail(f"{what} {'are' if what.endswith('s') else 'is'} not supported here: only "
                  "assignments of tensor arithmetic, 'import torch', print(...) and "
                  "z.backward()", st)

    def expression_statement(self, st: ast.Expr) -> None:
        v = st.value
        if isinstance(v, ast.Constant) and isinstance(v.value, str):
            return  # a docstring or a string used as a comment
        if isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and v.func.id == "print":
            return  # never run: its arguments are not even read
        if (isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute)
                and v.func.attr == "backward" and isinstance(v.func.value, ast.Name)):
            if v.args or v.keywords:
                self.fail("backward() is supported without arguments only", st)
            if self.output is not None:
                self.fail("backward() is called twice; the graph has one output", st)
            name = v.func.value.id
            if name not in self.env:
                self.fail(f"name {name!r} is not defined", st)
            self.output = self.env[name]
            return
        self.fail(f"'{_describe(v)}' is not supported as a statement: only print(...) and "
                  "z.backward() are", st)

    def assign(self, name: str, value: ast.expr, st: ast.stmt) -> None:
        try:
            check_name(name, "input")
        except GraphError as exc:
            self.fail(str(exc), st)
        if self._is_torch_call(value, "tensor"):
            number, requires_grad = self.tensor_args(value)
            if name in self.leaf_names:
                self.fail(f"{name!r} is already a leaf tensor; give the new leaf another name", st)
            self.leaf_names.add(name)
            nid = self.new("input", name=name, value=number, requires_grad=requires_grad)
        else:
            nid = self.expr(value, 0)
            if self.nodes[nid].name:
                self.fail(f"'{name} = {_describe(value)}' only gives {self.nodes[nid].name} a "
                          "second name; a graph node has one name, so use "
                          f"{self.nodes[nid].name} directly", st)
            self.nodes[nid] = Node(nid, self.nodes[nid].kind, name, self.nodes[nid].value)
        self.env[name] = nid
        self.last_assigned = nid

    def augmented(self, st: ast.AugAssign) -> None:
        if not isinstance(st.target, ast.Name):
            self.fail("only 'name += expression' is supported for augmented assignment", st)
        name = st.target.id
        symbol = _OPERATORS.get(type(st.op))
        if symbol is None:
            self.fail(_OPERATOR_HINTS.get(type(st.op), f"'{_describe(st)}' is not supported"), st)
        if name not in self.env:
            self.fail(f"name {name!r} is not defined", st)
        target = self.nodes[self.env[name]]
        if target.kind == "input" and target.requires_grad:
            self.fail(f"'{name} {symbol}= …' changes a leaf that requires grad in place, which "
                      f"PyTorch refuses: \"{TORCH_INPLACE_LEAF_MESSAGE}\" Write "
                      f"'{name} = {name} {symbol} …' to make a new tensor instead", st)
        right = self.expr(st.value, 0)
        nid = self.new(BINARY_BY_SYMBOL[symbol], (self.env[name], right), name=name)
        self.env[name] = nid
        self.last_assigned = nid

    # ---------------------------------------------------------------- expressions

    @staticmethod
    def _is_torch_call(node: ast.AST, attr: str) -> bool:
        return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "torch"
                and node.func.attr == attr)

    def number(self, node: ast.AST) -> float | None:
        """The value of a number literal, possibly negated; None if ``node`` is not one."""
        sign = 1.0
        while isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            sign = -sign if isinstance(node.op, ast.USub) else sign
            node = node.operand
        if not isinstance(node, ast.Constant):
            return None
        v = node.value
        if isinstance(v, bool) or not isinstance(v, int | float):
            return None
        try:
            return check_value(sign * float(v), "a number")
        except (GraphError, OverflowError) as exc:
            self.fail(str(exc), node)

    def tensor_args(self, call: ast.Call) -> tuple[float, bool]:
        if len(call.args) != 1:
            self.fail("torch.tensor(...) takes one number here (the graph holds scalars)", call)
        number = self.number(call.args[0])
        if number is None:
            self.fail(f"torch.tensor({_describe(call.args[0])}) is not supported: give it a "
                      "number, e.g. torch.tensor(2.0)", call)
        requires_grad = False
        for kw in call.keywords:
            if kw.arg != "requires_grad":
                self.fail(f"torch.tensor(..., {kw.arg or '**'}=...) is not supported: only "
                          "requires_grad=True/False", call)
            if not (isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, bool)):
                self.fail("requires_grad must be True or False", call)
            requires_grad = kw.value.value
        return number, requires_grad

    def expr(self, node: ast.expr, depth: int) -> int:
        if depth > MAX_DEPTH:
            self.fail(f"the expression is nested too deeply (more than {MAX_DEPTH} levels)", node)
        d = depth + 1
        number = self.number(node)
        if number is not None:
            return self.new("constant", value=number)
        if isinstance(node, ast.Constant):
            self.fail(f"{_describe(node)} is not supported: only numbers and tensors", node)
        if isinstance(node, ast.Name):
            if node.id not in self.env:
                self.fail(f"name {node.id!r} is not defined", node)
            return self.env[node.id]
        if isinstance(node, ast.BinOp):
            symbol = _OPERATORS.get(type(node.op))
            if symbol is None:
                self.fail(_OPERATOR_HINTS.get(type(node.op),
                                              f"the operator in '{_describe(node)}' is not supported"),
                          node)
            a = self.expr(node.left, d)
            b = self.expr(node.right, d)
            return self.new(BINARY_BY_SYMBOL[symbol], (a, b))
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.UAdd):
                return self.expr(node.operand, d)
            if isinstance(node.op, ast.USub):
                return self.new("neg", (self.expr(node.operand, d),))
            self.fail(f"'{_describe(node)}' is not supported", node)
        if isinstance(node, ast.Call):
            return self.call(node, d)
        if isinstance(node, ast.Attribute):
            self.fail(f"'{_describe(node)}' is not supported" + (
                ": of torch only torch.tensor and torch." + ", torch.".join(FUNCTION_KINDS)
                + " are" if _torch_path(node) else ""), node)
        self.fail(f"'{_describe(node)}' is not supported", node)

    def call(self, node: ast.Call, d: int) -> int:
        func = node.func
        if self._is_torch_call(node, "tensor"):
            number, requires_grad = self.tensor_args(node)
            if requires_grad:
                self.fail("a leaf with requires_grad=True needs a name: "
                          "x = torch.tensor(..., requires_grad=True)", node)
            return self.new("constant", value=number)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
                and func.value.id == "torch":
            if func.attr not in FUNCTION_KINDS:
                self.fail(f"torch.{func.attr} is not supported: of torch only torch.tensor and "
                          "torch." + ", torch.".join(FUNCTION_KINDS) + " are", node)
            if len(node.args) != 1 or node.keywords:
                self.fail(f"torch.{func.attr}(...) takes exactly one tensor here", node)
            return self.new(func.attr, (self.expr(node.args[0], d),))
        if isinstance(func, ast.Attribute):
            path = _torch_path(func)
            if path:
                self.fail(f"{path} is not supported: of torch only torch.tensor and torch."
                          + ", torch.".join(FUNCTION_KINDS) + " are", node)
            if func.attr not in (*FUNCTION_KINDS, "detach"):
                self.fail(f".{func.attr}() is not supported: the methods are ."
                          + "(), .".join((*FUNCTION_KINDS, "detach")) + "()", node)
            if node.args or node.keywords:
                self.fail(f".{func.attr}() takes no arguments", node)
            return self.new(func.attr, (self.expr(func.value, d),))
        self.fail(f"calling {_describe(func)}(...) is not supported", node)


def parse_source(source: str) -> ast.Module:
    """``source`` parsed by Python's own parser, or :class:`CodeImportError` (never a crash)."""
    if not isinstance(source, str):
        raise CodeImportError(f"code must be text, not {type(source).__name__}")
    if len(source) > MAX_SOURCE_CHARS:
        raise CodeImportError(f"the code is {len(source):,} characters long; at most "
                              f"{MAX_SOURCE_CHARS:,} are read")
    try:
        tree = ast.parse(source, mode="exec")
    except SyntaxError as exc:
        raise CodeImportError(f"this is not valid Python: {exc.msg}", exc.lineno or 0,
                              exc.offset or 0) from None
    except (RecursionError, MemoryError):
        raise CodeImportError("the code is nested too deeply for Python's parser "
                              "(thousands of chained operators?)") from None
    except ValueError as exc:  # e.g. "source code string cannot contain null bytes"
        raise CodeImportError(f"this is not valid Python: {exc}") from None
    return tree


def parse_code(source: str) -> tuple[dict[int, Node], dict[tuple[int, str], Edge]]:
    """Nodes and edges for ``source`` (positions not yet laid out); see the module docstring."""
    tree = parse_source(source)
    reader = _Reader()
    try:
        for st in tree.body:
            reader.statement(st)
    except RecursionError:
        raise CodeImportError("the code is nested too deeply", reader.line) from None
    out = reader.output if reader.output is not None else reader.last_assigned
    if out is None:
        raise CodeImportError("no computation found: assign at least one tensor, e.g. "
                              "x = torch.tensor(2.0, requires_grad=True)")
    reader.new("output", (out,))
    return reader.nodes, reader.edges
