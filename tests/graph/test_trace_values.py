"""Value summaries: statistics, previews, and a plain "no summary" where none can be made."""

import math

import pytest
import torch
from torch import nn

from gradviz.graph.trace import trace
from gradviz.graph.trace_values import (
    PREVIEW_1D,
    PREVIEW_2D,
    PREVIEW_MAX_ELEMENTS,
    summarize,
)


def test_statistics_match_torch():
    torch.manual_seed(0)
    t = torch.randn(7, 5)
    s = summarize(t)
    assert s.ok and s.shape == (7, 5) and s.dtype == "float32" and s.nonfinite == 0
    assert s.min == pytest.approx(t.min().item())
    assert s.mean == pytest.approx(t.mean().item(), abs=1e-6)
    assert s.max == pytest.approx(t.max().item())
    assert s.norm == pytest.approx(t.norm().item(), rel=1e-5)
    assert torch.allclose(torch.tensor(s.preview, dtype=torch.float32), t)


def test_long_vectors_and_big_matrices_are_downsampled_by_block_means():
    v = torch.arange(640.0)
    s = summarize(v)
    assert len(s.preview) == PREVIEW_1D
    assert s.preview[0] == pytest.approx(v[:10].mean().item())
    m = torch.ones(100, 300)
    m[:50] = 3.0
    s = summarize(m)
    assert len(s.preview) == PREVIEW_2D and all(len(r) == PREVIEW_2D for r in s.preview)
    assert s.preview[0][0] == 3.0 and s.preview[-1][-1] == 1.0


def test_no_preview_for_3d_scalars_or_huge_tensors():
    assert summarize(torch.ones(2, 3, 4)).preview is None
    scalar = summarize(torch.tensor(2.5))
    assert scalar.preview is None and scalar.min == scalar.max == 2.5
    huge = summarize(torch.zeros(PREVIEW_MAX_ELEMENTS + 1))
    assert huge.preview is None and huge.max == 0.0


def test_non_finite_entries_are_counted_and_left_out_of_the_statistics():
    s = summarize(torch.tensor([1.0, float("nan"), 3.0, float("inf")]))
    assert s.nonfinite == 2 and (s.min, s.mean, s.max) == (1.0, 2.0, 3.0)
    assert all(math.isfinite(v) for v in s.preview)
    empty = summarize(torch.tensor([float("nan")]))
    assert empty.ok and empty.min is None and empty.nonfinite == 1


def test_integer_and_bool_tensors_are_summarised():
    assert summarize(torch.tensor([1, 2, 6])).mean == 3.0
    assert summarize(torch.tensor([True, False, True, True])).mean == 0.75


@pytest.mark.parametrize("make, word", [
    (lambda: torch.randn(3, dtype=torch.complex64), "complex"),
    (lambda: torch.eye(3).to_sparse(), "sparse"),
    (lambda: torch.quantize_per_tensor(torch.randn(3), 0.1, 0, torch.quint8), "quantized"),
    (lambda: torch.zeros(0, 3), "empty"),
    (lambda: torch.zeros(2, device="meta"), "meta"),
])
@pytest.mark.filterwarnings("ignore:torch.quantize_per_tensor:UserWarning")
def test_no_summary_says_why(make, word):
    s = summarize(make())
    assert not s.ok and word in s.reason and s.reason.startswith("no summary")
    assert s.min is None and s.preview is None


def test_a_sparse_gradient_in_a_real_graph_has_no_summary_and_says_so():
    emb = nn.Embedding(10, 3, sparse=True)
    loss = emb(torch.tensor([1, 4, 4])).sum()
    g = trace(loss, module=emb)
    loss.backward()
    leaf = next(i for i, n in enumerate(g.nodes) if n.label == "weight")
    assert emb.weight.grad.is_sparse
    assert "sparse" in g.grad(leaf).reason and g.grad(leaf).shape == (10, 3)
    g.close()


def test_overflowing_statistics_stay_finite_or_none():
    s = summarize(torch.tensor([1e308, 1e308, -1e308, 1e308], dtype=torch.float64))
    assert s.min == -1e308 and s.max == 1e308 and s.norm is None
    assert all(math.isfinite(v) for v in s.preview)
