"""The Playground's network, loss, regularization, optimizers and batch order.

Each function here uses only ``torch`` and ``math`` and no module state, so
:mod:`gradviz.core.playground_code` copies their source into the exported script: the script
trains with the very code the app trains with.
"""

from __future__ import annotations

import math

import torch

ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
OPTIMIZERS = ("SGD", "Adam", "RMSprop")
REGULARIZATIONS = ("none", "L1", "L2")
#: Settings that may change mid-run (logged and replayed by the exported code).
TRAINING = ("optimizer", "momentum", "lr", "batch_size", "regularization", "reg_rate")
#: Random streams drawn from one seed: the data, the initial weights, the epoch permutations.
DATA_STREAM, INIT_STREAM, EPOCH_STREAM = 0, 1, 2


def stream_seed(seed: int, stream: int, index: int = 0) -> int:
    """A distinct generator seed for each (stream, index); fits torch's 64-bit seeds for any
    seed below 2**31 and index below 2**28."""
    return (seed * 4 + stream) * 2**28 + index


def build_network(hidden: tuple[int, ...], activation: str, n_out: int,
                  gen: torch.Generator) -> torch.nn.Sequential:
    """Linear layers 2 → hidden… → n_out with ``activation`` after each hidden layer, initialized
    as ``torch.nn.Linear`` does (uniform in ±1/√fan_in) but from ``gen``."""
    kinds = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid,
             "linear": torch.nn.Identity}
    layers: list[torch.nn.Module] = []
    width = 2
    for i, size in enumerate(list(hidden) + [n_out]):
        # skip_init: building a Linear must not draw from the global RNG.
        layers.append(torch.nn.utils.skip_init(torch.nn.Linear, width, size))
        if i < len(hidden):
            layers.append(kinds[activation]())
        width = size
    net = torch.nn.Sequential(*layers)
    with torch.no_grad():
        for layer in net:
            if isinstance(layer, torch.nn.Linear):
                bound = 1.0 / math.sqrt(layer.in_features)
                layer.weight.uniform_(-bound, bound, generator=gen)
                layer.bias.uniform_(-bound, bound, generator=gen)
    return net


def data_loss(output: torch.Tensor, target: torch.Tensor, task: str) -> torch.Tensor:
    """Mean loss over the points: BCE with logits (binary), cross-entropy (multiclass) or MSE
    (regression)."""
    if task == "binary":
        return torch.nn.functional.binary_cross_entropy_with_logits(output[:, 0], target)
    if task == "multiclass":
        return torch.nn.functional.cross_entropy(output, target.long())
    return torch.nn.functional.mse_loss(output[:, 0], target)


def penalty(net: torch.nn.Module, regularization: str, rate: float) -> torch.Tensor | float:
    """``rate·Σ|w|`` (L1) or ``rate·½Σw²`` (L2) over the weight matrices (biases are free)."""
    if regularization == "none" or rate == 0:
        return 0.0
    weights = [p for p in net.parameters() if p.dim() > 1]
    if regularization == "L1":
        return rate * sum(w.abs().sum() for w in weights)
    return rate * 0.5 * sum((w * w).sum() for w in weights)


def make_optimizer(name: str, params: list[torch.Tensor], lr: float,
                   momentum: float) -> torch.optim.Optimizer:
    """The ``torch.optim`` optimizer; ``momentum`` applies to SGD and RMSprop."""
    if name == "SGD":
        return torch.optim.SGD(params, lr=lr, momentum=momentum)
    if name == "RMSprop":
        return torch.optim.RMSprop(params, lr=lr, momentum=momentum)
    return torch.optim.Adam(params, lr=lr)


def epoch_order(seed: int, epoch: int, n: int) -> torch.Tensor:
    """The order in which epoch ``epoch`` visits the ``n`` training points."""
    gen = torch.Generator().manual_seed(stream_seed(seed, EPOCH_STREAM, epoch))
    return torch.randperm(n, generator=gen)
