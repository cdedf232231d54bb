"""no_grad() measured with saved_tensors_hooks, and detach() on the chapter's two-path graph."""

from __future__ import annotations

import pytest
import torch

from gradviz.core.detach_demo import run_detach_demo
from gradviz.core.memory import (
    IN_FEATURES,
    NoGradModel,
    measure,
    readout_rows,
    saved_tensor_bytes,
)
from gradviz.core.model import StateError


def test_nothing_is_saved_under_no_grad():
    for width, depth in [(8, 1), (64, 3)]:
        assert saved_tensor_bytes(width, depth, 16, no_grad=True) == 0
        r = measure(width, depth, 16, no_grad=True)
        assert r.saved_bytes == 0 and r.graph_nodes == 0 and r.saved_tensors == 0


def test_saved_bytes_grow_with_width_depth_and_batch():
    widths = [8, 32, 128, 512]
    sizes = [saved_tensor_bytes(w, 2, 32, no_grad=False) for w in widths]
    assert all(a < b for a, b in zip(sizes, sizes[1:], strict=False))
    assert saved_tensor_bytes(64, 4, 32, False) > saved_tensor_bytes(64, 2, 32, False)
    assert saved_tensor_bytes(64, 2, 64, False) > saved_tensor_bytes(64, 2, 32, False)


def test_activation_bytes_match_a_hand_count_of_unique_storages():
    width, depth, batch = 64, 2, 32
    r = measure(width, depth, batch, no_grad=False)
    # Saved activations: the input batch, and each hidden layer's ReLU output (which is also the
    # next matmul's input, one storage). float32 = 4 bytes.
    expected = 4 * (batch * IN_FEATURES + depth * batch * width)
    assert r.activation_bytes == expected
    # Parameters: the matmuls after the first keep their weight (transposed view, same storage).
    assert r.parameter_bytes == 4 * ((depth - 1) * width * width + width)
    assert r.saved_tensors > r.unique_storages  # shared storages counted once
    assert r.graph_nodes > 0 and "AddmmBackward0" in r.node_names


def test_readout_rows_are_the_tables_total_and_node_count():
    on, off = measure(64, 2, 32, False), measure(64, 2, 32, True)
    rows = readout_rows(on, off)
    assert [r[0] for r in rows] == ["saved for backward", "graph nodes"]
    assert rows[0][1] == f"{on.saved_bytes / 1024:.1f} KiB" and rows[0][2] == "0 B"
    assert rows[1][1] == str(on.graph_nodes) and rows[1][2] == "0" and on.graph_nodes > 0


def test_measure_checks_its_arguments_and_model_validates():
    with pytest.raises(ValueError):
        measure(0, 2, 32, False)
    with pytest.raises(ValueError):
        saved_tensor_bytes(64, 2.5, 32, False)
    m = NoGradModel()
    m.width = 128
    assert m.report(False).width == 128
    with pytest.raises(StateError):
        m.from_dict({"width": 5000})
    with pytest.raises(StateError):
        m.from_dict({"detach": "c"})
    m.reset()
    assert m.width == 64


def test_no_detach_gives_the_chapters_multi_path_sum():
    r = run_detach_demo("none")
    assert r.grads == {"x": 7.0, "y": 2.0}
    assert r.edge_flow[("x", "a")] == 3.0 and r.edge_flow[("x", "b")] == 4.0
    assert r.grad_fns["a"] == "MulBackward0" and r.grad_fns["b"] == "PowBackward0"


def test_detached_path_carries_no_gradient_and_its_only_leaf_keeps_none():
    r = run_detach_demo("a")
    assert r.grads["x"] == 4.0  # only through b = x**2
    assert r.grads["y"] is None  # reached only through the detached path: None, not 0
    assert r.grad_fns["a"] is None and r.cut_edge == ("a", "z")
    assert all(r.edge_flow[e] is None for e in [("x", "a"), ("y", "a"), ("a", "z")])
    # The same graph written directly in torch agrees.
    x = torch.tensor(2.0, requires_grad=True)
    y = torch.tensor(3.0, requires_grad=True)
    ((x * y).detach() + x ** 2).backward()
    assert x.grad.item() == r.grads["x"] and y.grad is None
    assert any(".detach()" in line for line in r.code())


def test_detaching_the_other_path():
    r = run_detach_demo("b")
    assert r.grads == {"x": 3.0, "y": 2.0}
    assert r.edge_flow[("x", "b")] is None and r.edge_flow[("x", "a")] == 3.0
    with pytest.raises(ValueError):
        run_detach_demo("z")
