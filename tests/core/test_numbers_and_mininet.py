import math

import torch

from gradviz.core.mininet import MiniNetwork
from gradviz.core.numbers import fmt, full_text


def test_six_significant_figures():
    assert fmt(0.39999998) == "0.4"
    assert fmt(torch.tensor(0.79999995)) == "0.8"
    assert fmt(1234567.0) == "1.23457e6"
    assert fmt(None) == "None"
    assert fmt(float("nan")) == "nan" and fmt(-math.inf) == "-inf"
    assert fmt(0.0) == "0"


def test_tooltip_explains_float32_rounding():
    text = full_text(0.39999998)
    assert "0.4" in text and "0.39999998" in text and "float32" in text
    assert "None" in full_text(None)
    assert "stored (float32): 1.9999999\n" in full_text(1.9999999)


def test_one_backward_gives_the_chapters_w_grad():
    net = MiniNetwork()
    w = torch.tensor(net.w, requires_grad=True)
    b = torch.tensor(net.b, requires_grad=True)
    net.single_loss(w, b).backward()
    torch.testing.assert_close(w.grad, torch.tensor(0.4))
    torch.testing.assert_close(b.grad, torch.tensor(0.4))


def test_dataset_is_seeded_and_mse_vectorizes():
    a, b = MiniNetwork(seed=3), MiniNetwork(seed=3)
    torch.testing.assert_close(a.dataset(), b.dataset())
    assert not torch.equal(a.dataset()[0], MiniNetwork(seed=4).dataset()[0])
    w, bb = torch.meshgrid(torch.linspace(-1, 3, 5), torch.linspace(-2, 1, 4), indexing="ij")
    grid = a.mse(w, bb)
    assert grid.shape == (5, 4)
    xs, ys = a.dataset()
    torch.testing.assert_close(grid[2, 1], ((w[2, 1] * xs + bb[2, 1] - ys) ** 2).mean())


def test_full_text_of_a_float64_beyond_float32_does_not_warn():
    import warnings

    from gradviz.core.numbers import full_text

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        text = full_text(2.7e43, "float64")
    assert "2.7e+43" in text or "2.7e43" in text
