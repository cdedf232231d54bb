"""What ``torch.no_grad()`` saves: the tensors autograd keeps for backward, measured for real.

A forward pass with grad tracking on records a graph, and each graph node keeps the tensors its
backward needs (a matmul's input, a ReLU's output, a weight's transpose). We count them with
:func:`torch.autograd.graph.saved_tensors_hooks`, which PyTorch calls for every tensor it saves:
unique storages only (a ReLU output that is also the next layer's input is one block of memory),
split into parameters (storage shared with a weight) and activations (everything else, the input
batch included). Inside ``torch.no_grad()`` nothing is saved and no graph is built.
"""

from __future__ import annotations

import math
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F  # noqa: N812 - PyTorch's conventional name

from gradviz.core.detach_demo import CHOICES as DETACH_CHOICES
from gradviz.core.detach_demo import TITLES as DETACH_TITLES
from gradviz.core.model import Setting, SettingsModel
from gradviz.core.panel_info import PanelInfo, Presenter

#: Input features of the demo MLP (the data's width; the hidden width is the slider).
IN_FEATURES = 16
DTYPE = torch.float32
#: The hidden widths of the growth plot (log scale).
SWEEP_WIDTHS = (4, 8, 16, 32, 64, 128, 256, 512, 1024)
#: The table's rows: a :class:`MemoryReport` attribute and what it means.
ROWS = (
    ("activation_bytes", "activations saved for backward"),
    ("parameter_bytes", "parameters saved for backward"),
    ("saved_bytes", "total saved for backward"),
    ("saved_tensors", "tensors saved (times PyTorch saved one)"),
    ("unique_storages", "distinct storages"),
    ("graph_nodes", "graph nodes (grad_fn + AccumulateGrad)"),
    ("model_bytes", "model parameters (kept either way)"),
)


@dataclass(frozen=True)
class MemoryReport:
    """One measured forward pass of the MLP.

    Attributes
    ----------
    activation_bytes, parameter_bytes
        Bytes of the unique storages saved for backward: activations (input batch included) and
        parameters (weights whose transpose a matmul keeps).
    saved_tensors, unique_storages
        How many times PyTorch saved a tensor, and how many distinct storages that was.
    graph_nodes
        Backward nodes reachable from the output (``grad_fn`` and its ``next_functions``,
        ``AccumulateGrad`` included): the graph ``backward()`` would walk. 0 under no_grad.
    model_bytes
        Size of all the model's parameters (kept with or without grad tracking).
    """

    width: int
    depth: int
    batch: int
    no_grad: bool
    activation_bytes: int
    parameter_bytes: int
    saved_tensors: int
    unique_storages: int
    graph_nodes: int
    model_bytes: int
    node_names: tuple[str, ...] = ()

    @property
    def saved_bytes(self) -> int:
        return self.activation_bytes + self.parameter_bytes


def make_mlp(width: int, depth: int, seed: int = 0) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Weights and biases of an MLP with ``depth`` hidden layers of ``width`` units (seeded)."""
    gen = torch.Generator().manual_seed(seed)
    sizes = [IN_FEATURES] + [width] * depth + [1]
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        w = (torch.randn(fan_out, fan_in, generator=gen, dtype=DTYPE) / fan_in ** 0.5)
        b = torch.zeros(fan_out, dtype=DTYPE)
        layers.append((w.requires_grad_(True), b.requires_grad_(True)))
    return layers


def _check(width: Any, depth: Any, batch: Any) -> None:
    for name, value, hi in (("width", width, 4096), ("depth", depth, 64), ("batch", batch, 4096)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= hi:
            raise ValueError(f"{name} must be a whole number in [1, {hi}], got {value!r}")


def count_graph_nodes(output: torch.Tensor) -> tuple[int, tuple[str, ...]]:
    """Unique backward nodes reachable from ``output.grad_fn`` and their class names."""
    seen: dict[int, Any] = {}
    stack = [output.grad_fn] if output.grad_fn is not None else []
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen[id(node)] = node
        stack.extend(nxt for nxt, _ in node.next_functions)
    return len(seen), tuple(sorted(type(n).__name__ for n in seen.values()))


def measure(width: int, depth: int, batch: int, no_grad: bool, seed: int = 0) -> MemoryReport:
    """Run the MLP's forward pass on a batch and measure what autograd saved for backward."""
    _check(width, depth, batch)
    layers = make_mlp(width, depth, seed)
    gen = torch.Generator().manual_seed(seed + 1)
    x = torch.randn(batch, IN_FEATURES, generator=gen, dtype=DTYPE)
    param_ptrs = {p.untyped_storage().data_ptr() for layer in layers for p in layer}
    model_bytes = sum(p.untyped_storage().nbytes() for layer in layers for p in layer)
    saved: list[tuple[int, int]] = []  # (storage address, storage bytes) per saved tensor

    def pack(t: torch.Tensor) -> torch.Tensor:
        storage = t.untyped_storage()
        saved.append((storage.data_ptr(), storage.nbytes()))
        # Hand autograd a detached alias: returning ``t`` itself would make a saved *output* hold
        # its own grad_fn, a reference cycle through C++ that Python's GC cannot break (a leak).
        return t.detach()

    def unpack(t: torch.Tensor) -> torch.Tensor:
        return t

    guard = torch.no_grad() if no_grad else nullcontext()
    with guard, torch.autograd.graph.saved_tensors_hooks(pack, unpack):
        h = x
        for i, (w, b) in enumerate(layers):
            h = F.linear(h, w, b)
            if i < len(layers) - 1:
                h = F.relu(h)
    nodes, names = count_graph_nodes(h)
    storages: dict[int, tuple[int, bool]] = {}
    for ptr, nbytes in saved:
        storages[ptr] = (nbytes, ptr in param_ptrs)
    activation = sum(n for n, is_param in storages.values() if not is_param)
    parameter = sum(n for n, is_param in storages.values() if is_param)
    return MemoryReport(width, depth, batch, no_grad, activation, parameter, len(saved),
                        len(storages), nodes, model_bytes, names)


def saved_tensor_bytes(width: int, depth: int, batch: int, no_grad: bool) -> int:
    """Activation bytes saved for backward by the MLP's forward pass (0 under ``no_grad``).

    >>> saved_tensor_bytes(64, 2, 32, no_grad=True)
    0
    >>> saved_tensor_bytes(128, 2, 32, False) > saved_tensor_bytes(64, 2, 32, False)
    True
    """
    return measure(width, depth, batch, no_grad).activation_bytes


def sweep_widths(widths: list[int], depth: int, batch: int) -> list[MemoryReport]:
    """:func:`measure` with grad tracking on, for each width (for the growth plot)."""
    return [measure(w, depth, batch, no_grad=False) for w in widths]


def no_grad_code(width: int, depth: int, batch: int) -> tuple[str, ...]:
    """The two forward passes the panel measures, written as a student would."""
    return (
        f"x = torch.randn({batch}, {IN_FEATURES})           # a batch of inputs",
        f"model = mlp(width={width}, depth={depth})",
        "out = model(x)                       # graph recorded, tensors saved for backward",
        "",
        "with torch.no_grad():                # inference / evaluation",
        "    out = model(x)                   # no graph, nothing saved",
        "",
        "with torch.no_grad():                # parameter updates too",
        "    w -= lr * w.grad",
    )


def measure_job(width: int, depth: int, batch: int,
                sweep: bool) -> tuple[dict[bool, MemoryReport], list[MemoryReport] | None]:
    """Both measurements of one setting (grad on, no_grad) and, if ``sweep``, the width sweep.
    The panel runs it on a worker thread: the largest sliders take about a second of matmuls."""
    reports = {ng: measure(width, depth, batch, ng) for ng in (False, True)}
    return reports, (sweep_widths(list(SWEEP_WIDTHS), depth, batch) if sweep else None)


def human_bytes(n: int) -> str:
    """``18432`` → ``'18.0 KiB (18,432 B)'``."""
    if n < 1024:
        return f"{n:,} B"
    value = float(n)
    for unit in ("KiB", "MiB", "GiB"):
        value /= 1024
        if value < 1024 or unit == "GiB":
            return f"{value:.1f} {unit} ({n:,} B)"
    raise AssertionError("unreachable")


def cell_text(report: MemoryReport, row: str) -> str:
    """One table cell: bytes in human units, counts with thousands separators."""
    value = getattr(report, row)
    return human_bytes(value) if row.endswith("bytes") else f"{value:,}"


def short_bytes(n: int) -> str:
    """``18432`` → ``'18.0 KiB'``: the readout's figure, read from across a room."""
    return human_bytes(n).split(" (")[0]


#: The presenter readout's rows: the two figures the lesson is about.
READOUT_ROWS = (("saved_bytes", "saved for backward"), ("graph_nodes", "graph nodes"))


def readout_rows(on: MemoryReport, off: MemoryReport) -> list[tuple[str, str, str]]:
    """The compact readout beside the plot: (what, grad tracking on, inside no_grad) per row.

    >>> on, off = measure(8, 1, 2, False), measure(8, 1, 2, True)
    >>> [row[2] for row in readout_rows(on, off)]
    ['0 B', '0']
    """
    rows = []
    for key, title in READOUT_ROWS:
        cells = [short_bytes(getattr(r, key)) if key.endswith("bytes") else f"{getattr(r, key):,}"
                 for r in (on, off)]
        rows.append((title, *cells))
    return rows


def saving_text(on: MemoryReport, off: MemoryReport) -> str:
    """The sentence under the table: what grad tracking keeps alive, and what no_grad keeps."""
    return (f"Grad tracking keeps {human_bytes(on.saved_bytes)} alive until backward() runs "
            f"({on.graph_nodes} graph nodes); inside torch.no_grad() the same forward pass keeps "
            f"{human_bytes(off.saved_bytes)} and builds {off.graph_nodes} nodes.")


def width_ticks(widths: tuple[int, ...] = SWEEP_WIDTHS) -> list[list[tuple[float, str]]]:
    """Ticks for the log-width axis at the measured widths only: every other width on the first
    level, the rest on the second, which a narrow plot drops instead of crowding the labels."""
    return [[(math.log10(w), str(w)) for w in widths[::2]],
            [(math.log10(w), str(w)) for w in widths[1::2]]]


class NoGradModel(SettingsModel):
    """Settings of the no_grad/detach panel: the MLP's size and which path is detached."""

    key = "nograd"
    SETTINGS = {
        "width": Setting(64, lo=1, hi=1024, integer=True, label="hidden width",
                         doc="Units in each hidden layer of the measured MLP."),
        "depth": Setting(2, lo=1, hi=8, integer=True, label="hidden layers",
                         doc="How many hidden layers the measured MLP has."),
        "batch": Setting(32, lo=1, hi=512, integer=True, label="batch size",
                         doc="How many examples go through the forward pass at once."),
        "detach": Setting("a", choices=DETACH_CHOICES, label="detach",
                          choice_labels=tuple(DETACH_TITLES[c] for c in DETACH_CHOICES),
                          doc="Which path of z = a + b is cut out of the graph."),
    }

    def report(self, no_grad: bool) -> MemoryReport:
        return measure(self.width, self.depth, self.batch, no_grad)


PANEL = PanelInfo("nograd", "no_grad & detach", "nograd:QtNoGradPanel", order=70,
                  models=lambda model: [NoGradModel()],
                  presenter=Presenter(show=("plot", "graph", "detach-settings"),
                                      fold=("memory-settings", "table", "memory-code",
                                            "detach-intro", "detach-code")))
