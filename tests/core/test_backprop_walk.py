"""The backprop walk: its phases make exactly model.step()'s update; δ·a means equal autograd's
.grad; each optimizer's formula on torch's state equals the real w_new − w_old."""

from __future__ import annotations

import pytest
import torch

from gradviz.core.backprop_walk import PHASES, BackpropWalk
from gradviz.core.playground import PlaygroundModel
from gradviz.core.playground_net import data_loss


def model_for(optimizer: str, regularization: str = "none", **fields) -> PlaygroundModel:
    model = PlaygroundModel()
    model.hidden = (5, 4)
    model.optimizer = optimizer
    model.regularization = regularization
    model.reg_rate = 0.01
    for name, value in fields.items():
        setattr(model, name, value)
    model.step(4)  # so optimizer state (momentum, moments) is non-trivial
    return model


def test_the_phases_run_in_order_and_equal_a_plain_step():
    walked, stepped = model_for("Adam"), model_for("Adam")
    walk = BackpropWalk(walked)
    assert [walk.advance() for _ in PHASES] == list(PHASES) and walk.done
    stepped.step(1)
    assert walked.steps == stepped.steps == 5
    assert walked.train_curve == stepped.train_curve
    for p, q in zip(walked.network.parameters(), stepped.network.parameters(), strict=True):
        assert torch.equal(p, q)
    with pytest.raises(ValueError):
        walk.advance()


def test_forward_records_each_layer_and_the_output():
    model = model_for("SGD")
    walk = BackpropWalk(model)
    walk.advance()
    assert [tuple(layer.z.shape[1:]) for layer in walk.layers] == [(5,), (4,), (1,)]
    with torch.no_grad():
        expected = model.network(walk.x)
        assert torch.equal(walk.output, expected)
        assert torch.equal(walk.layers[1].inputs, walk.layers[0].outputs)
    with pytest.raises(ValueError):
        walk.gradient(0, 0, 0)


@pytest.mark.parametrize("regularization", ["none", "L1", "L2"])
@pytest.mark.parametrize("dataset", ["circle", "three_class", "plane"])
def test_delta_a_means_equal_autograd(regularization, dataset):
    model = model_for("SGD", regularization, dataset=dataset)
    walk = BackpropWalk(model)
    for _ in range(3):
        walk.advance()
    # The reference: a fresh autograd pass of the same objective on the same batch.
    params = [p.detach().clone().requires_grad_(True) for p in model.network.parameters()]
    names = [n for n, _ in model.network.named_parameters()]
    out = torch.func.functional_call(model.network, dict(zip(names, params, strict=True)),
                                     (walk.x,))
    reg = {"none": 0.0, "L1": sum(p.abs().sum() for p in params if p.dim() > 1),
           "L2": 0.5 * sum((p * p).sum() for p in params if p.dim() > 1)}[regularization]
    grads = torch.autograd.grad(data_loss(out, walk.y, model.task) + 0.01 * reg, params)
    for layer in range(3):
        w_grad, b_grad = grads[2 * layer], grads[2 * layer + 1]
        for j, k in [(0, 0), (w_grad.shape[0] - 1, w_grad.shape[1] - 1)]:
            formula = walk.gradient(layer, j, k)
            assert formula.value == pytest.approx(float(w_grad[j, k]), rel=1e-4, abs=1e-7)
            assert formula.torch_value == pytest.approx(float(w_grad[j, k]), rel=1e-4, abs=1e-7)
            assert "mean over" in formula.text
        bias = walk.gradient(layer, 0)
        assert bias.value == pytest.approx(float(b_grad[0]), rel=1e-4, abs=1e-7)


@pytest.mark.parametrize(("optimizer", "momentum"), [("SGD", 0.0), ("SGD", 0.9), ("Adam", 0.9),
                                                     ("RMSprop", 0.0), ("RMSprop", 0.5)])
@pytest.mark.parametrize("regularization", ["none", "L2"])
def test_update_formula_equals_torch_optim_step(optimizer, momentum, regularization):
    model = model_for(optimizer, regularization, momentum=momentum)
    walk = BackpropWalk(model)
    walk.run_all()
    for layer, j, k in [(0, 1, 0), (1, 3, 4), (2, 0, 2), (1, 2, None)]:
        formula = walk.update(layer, j, k)
        index = 2 * layer + (1 if k is None else 0)
        at = (j,) if k is None else (j, k)
        real = float(walk.after.params[index][at] - walk.before.params[index][at])
        assert formula.torch_value == pytest.approx(real, abs=1e-9)
        # w_new − w_old of float32 weights is rounded to the weight's float32 spacing.
        spacing = 2 * torch.finfo(torch.float32).eps * float(walk.before.params[index][at].abs())
        assert formula.value == pytest.approx(real, rel=1e-3, abs=spacing + 1e-12)
        assert "Δw" in formula.text and "real w_new − w_old" in formula.text


def test_a_restart_during_the_walk_is_refused():
    model = model_for("SGD")
    walk = BackpropWalk(model)
    walk.advance()
    model.reset()
    with pytest.raises(ValueError, match="restarted"):
        walk.advance()
