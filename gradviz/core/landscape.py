"""The loss landscape of the Playground network (Li, Xu, Taylor, Studer and Goldstein, 2018).

A network has thousands of weights; a picture has two axes. A 2-D slice evaluates the loss at
θ + a·δ + b·η for a grid of (a, b), with δ and η random directions in weight space. Filter
normalization rescales each row of a direction (one neuron's incoming weights) to the norm of the
same row of the weights, so the slice does not depend on the scale a ReLU network can shift
between its layers without changing what it computes.

The grid is computed batched: for a chunk of K grid points the K weight sets are stacked and the
network runs as batched matrix products (``torch.bmm``), one pass per chunk;
:func:`plane_losses` can also use ``torch.func.vmap`` over ``functional_call`` (benchmarks/
bench_playground.py measures both; the batched matmul was the faster here, so it is the default).
Nothing here changes the network's weights.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch.func import functional_call, vmap

from gradviz.core.playground import PlaygroundModel

Direction = list[torch.Tensor]
#: Grid points per batched pass are chosen so one layer's activations stay near this many floats.
CHUNK_FLOATS = 2**20
VMAP_CHUNK = 16


def random_directions(params: Sequence[torch.Tensor], seed: int) -> Direction:
    """One filter-normalized random direction for ``params`` (in parameter order).

    Drawn with ``torch.randn`` from ``torch.Generator().manual_seed(seed)``; each dim-0 slice of a
    tensor with 2+ dimensions is scaled to the norm of the same slice of the weights; 1-D
    parameters (biases) get zero, as Li et al.'s ``ignore='biasbn'`` does.
    """
    gen = torch.Generator().manual_seed(int(seed))
    out = []
    for p in params:
        d = torch.randn(p.shape, generator=gen, dtype=p.dtype)
        if p.dim() <= 1:
            d.zero_()
        else:
            w = p.detach().reshape(len(p), -1).norm(dim=1)
            dn = d.reshape(len(d), -1).norm(dim=1)
            d *= (w / (dn + 1e-10)).reshape(-1, *([1] * (p.dim() - 1)))
        out.append(d)
    return out


def flatten(params: Sequence[torch.Tensor]) -> torch.Tensor:
    """All parameters as one float64 vector (parameter order, row-major)."""
    return torch.cat([p.detach().reshape(-1).to(torch.float64) for p in params])


def unflatten(vector: torch.Tensor, like: Sequence[torch.Tensor]) -> Direction:
    """The inverse of :func:`flatten`, in the dtype of ``like``."""
    out, start = [], 0
    for p in like:
        out.append(vector[start:start + p.numel()].reshape(p.shape).to(p.dtype))
        start += p.numel()
    return out


def _losses(out: torch.Tensor, y: torch.Tensor, task: str) -> torch.Tensor:
    """Mean data loss per weight set; ``out`` is (K, N, outputs). Matches ``data_loss``."""
    k, n = out.shape[:2]
    if task == "binary":
        per = torch.nn.functional.binary_cross_entropy_with_logits(
            out[..., 0], y.expand(k, n), reduction="none")
    elif task == "multiclass":
        per = torch.nn.functional.cross_entropy(
            out.reshape(k * n, -1), y.long().repeat(k), reduction="none").reshape(k, n)
    else:
        per = (out[..., 0] - y) ** 2
    return per.mean(dim=1)


def _fold_tanh(network: torch.nn.Sequential, sets: list[torch.Tensor]) -> list[torch.Tensor]:
    """The same network with each tanh written as 2·σ(2z) − 1 and its factors moved into the
    weights: the layer before computes 2z (W, b doubled), the layer after takes s = σ(2z)
    (its W doubled, ΣW subtracted from its bias). Per element that leaves one ``sigmoid_``
    where tanh cost 14 ns on this CPU (σ: ~1 ns); results agree with ``torch.tanh`` to ~2e-7.
    """
    sets = list(sets)
    linear = [i for i, m in enumerate(network) if isinstance(m, torch.nn.Linear)]
    param_of = {module_index: 2 * k for k, module_index in enumerate(linear)}
    for index, module in enumerate(network):
        if not isinstance(module, torch.nn.Tanh):
            continue
        before = param_of[max(i for i in linear if i < index)]
        after = param_of[min(i for i in linear if i > index)]
        sets[before], sets[before + 1] = sets[before] * 2, sets[before + 1] * 2
        sets[after + 1] = sets[after + 1] - sets[after].sum(dim=1)
        sets[after] = sets[after] * 2
    return sets


def _batched_forward(network: torch.nn.Sequential, x: torch.Tensor,
                     sets: list[torch.Tensor]) -> torch.Tensor:
    """The network with K weight sets at once: ``sets[i]`` is (K, *shape of parameter i), with
    weight matrices transposed to (K, in, out) (contiguous: ``bmm`` is twice as fast so).
    Activations run in place on the batch's own buffers; tanh through :func:`_fold_tanh`.
    """
    sets = _fold_tanh(network, sets)
    h = x.expand(len(sets[0]), *x.shape)
    i = 0
    for module in network:
        if isinstance(module, torch.nn.Linear):
            h = torch.bmm(h, sets[i]).add_(sets[i + 1].unsqueeze(1))
            i += 2
        elif isinstance(module, torch.nn.Tanh | torch.nn.Sigmoid):
            h = h.sigmoid_()
        elif isinstance(module, torch.nn.ReLU):
            h = h.relu_()
        else:
            h = module(h)
    return h


def plane_losses(model: PlaygroundModel, origin: Sequence[torch.Tensor],
                 d1: Sequence[torch.Tensor], d2: Sequence[torch.Tensor], alphas: torch.Tensor,
                 betas: torch.Tensor, method: str = "bmm") -> torch.Tensor:
    """Training loss (as :meth:`PlaygroundModel.evaluate` computes it) at origin + a·d1 + b·d2
    for every a in ``alphas`` and b in ``betas``: a float64 (len(alphas), len(betas)) tensor."""
    x, y, _, _ = model.data()
    net = model.network
    aa, bb = torch.meshgrid(alphas.to(torch.float32), betas.to(torch.float32), indexing="ij")
    a, b = aa.reshape(-1), bb.reshape(-1)
    if method == "vmap":
        compute, chunk = _vmap_chunk(net, x, y, model.task), VMAP_CHUNK
    else:
        # (out, in) → (in, out): the sets built below come out contiguous for bmm.
        origin, d1, d2 = ([t.T if t.dim() == 2 else t for t in ts] for ts in (origin, d1, d2))
        width = max(p.shape[0] for p in net.parameters())
        chunk = max(1, CHUNK_FLOATS // (len(x) * width))

        def compute(sets: list[torch.Tensor]) -> torch.Tensor:
            return _losses(_batched_forward(net, x, sets), y, model.task)
    out = torch.empty(len(a), dtype=torch.float64)
    with torch.no_grad():
        for start in range(0, len(a), chunk):
            ca, cb = a[start:start + chunk], b[start:start + chunk]
            sets = [o.detach() + _outer(ca, u) + _outer(cb, v)
                    for o, u, v in zip(origin, d1, d2, strict=True)]
            out[start:start + len(ca)] = compute(sets).to(torch.float64)
    return out.reshape(len(alphas), len(betas))


def _outer(c: torch.Tensor, d: torch.Tensor) -> torch.Tensor:
    return c.reshape(-1, *([1] * d.dim())) * d.to(torch.float32)


def _vmap_chunk(net: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, task: str):
    names = [name for name, _ in net.named_parameters()]

    def one(*params: torch.Tensor) -> torch.Tensor:
        out = functional_call(net, dict(zip(names, params, strict=True)), (x,))
        return _losses(out.unsqueeze(0), y, task)[0]

    batched = vmap(one)
    return lambda sets: batched(*sets)


def grid_axis(n: int, span: float) -> torch.Tensor:
    """``linspace(-span, span, n)`` for an odd n (so the centre is exactly 0)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1 or n % 2 == 0:
        raise ValueError(f"the grid size must be an odd whole number, got {n!r}")
    if not span > 0:
        raise ValueError(f"the span must be positive, got {span!r}")
    return torch.linspace(-span, span, n, dtype=torch.float64)


def loss_grid(model: PlaygroundModel, directions: tuple[Direction, Direction], n: int = 51,
              span: float = 1.0, method: str = "bmm") -> torch.Tensor:
    """``grid[i, j]`` = L(θ* + a_i·δ + a_j·η), a = linspace(-span, span, n), θ* the current
    weights; float64 (n, n). The centre is ``evaluate()[0]``. Odd n only (else ValueError)."""
    axis = grid_axis(n, span)
    delta, eta = directions
    return plane_losses(model, list(model.network.parameters()), delta, eta, axis, axis, method)


def loss_grid_loop(model: PlaygroundModel, directions: tuple[Direction, Direction],
                   n: int = 51, span: float = 1.0,
                   at: Sequence[tuple[int, int]] | None = None) -> torch.Tensor:
    """The same as :func:`loss_grid` by a plain Python loop over grid points (one
    ``functional_call`` each): the reference the batched grid is tested and timed against.
    ``at`` limits it to some (i, j); the others stay NaN."""
    axis = grid_axis(n, span).to(torch.float32)
    x, y, _, _ = model.data()
    net = model.network
    names = [name for name, _ in net.named_parameters()]
    theta = [p.detach() for p in net.parameters()]
    grid = torch.full((n, n), float("nan"), dtype=torch.float64)
    cells = at if at is not None else [(i, j) for i in range(n) for j in range(n)]
    with torch.no_grad():
        for i, j in cells:
            params = [t + axis[i] * d + axis[j] * e
                      for t, d, e in zip(theta, *directions, strict=True)]
            out = functional_call(net, dict(zip(names, params, strict=True)), (x,))
            grid[i, j] = float(_losses(out.unsqueeze(0), y, model.task)[0])
    return grid
