"""The Playground's data: six generated 2-D data sets, hand-added points and CSV loading.

Every generator draws from the ``torch.Generator`` it is given (never the global RNG), works in
float32 and uses only ``torch`` and ``math``, so :mod:`gradviz.core.playground_code` can copy
its source into an exported script and get the same points there.

Points live in the square ``[-1, 1]²`` (:data:`EXTENT`). Labels are 0/1 for the four binary
data sets, 0/1/2 for ``three_class`` and a real value for ``plane`` (regression).
"""

from __future__ import annotations

import math

import torch

from gradviz.core.model import StateError

DATASETS = ("circle", "xor", "gaussians", "spiral", "three_class", "plane")
#: How many points each generator makes (hand-added points come on top).
N_GENERATED = 1000
#: At most this many hand-added or loaded points.
MAX_USER_POINTS = 5000
#: Half-width of the input square the data (and the heatmaps) cover.
EXTENT = 1.0
#: Hand-added or loaded coordinates must lie within this many extents of the centre.
MAX_COORD = 100.0
#: Largest magnitude of a regression label.
MAX_TARGET = 1000.0
MAX_CSV_BYTES = 1_000_000


def circle(n: int, noise: float, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Class 1 inside radius 0.5, class 0 on a ring between 0.7 and 1."""
    half = n // 2
    r = torch.cat([torch.rand(half, generator=gen) * 0.5,
                   0.7 + torch.rand(n - half, generator=gen) * 0.3])
    angle = torch.rand(n, generator=gen) * (2 * math.pi)
    xy = torch.stack([r * torch.cos(angle), r * torch.sin(angle)], dim=1)
    xy = xy + (torch.rand(n, 2, generator=gen) * 2 - 1) * noise
    labels = torch.cat([torch.ones(half), torch.zeros(n - half)])
    return xy, labels


def xor(n: int, noise: float, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Class 1 where x1·x2 > 0; points keep a small margin off the axes."""
    xy = torch.rand(n, 2, generator=gen) * 1.9 - 0.95
    xy = xy + torch.sign(xy) * 0.05
    labels = (xy[:, 0] * xy[:, 1] > 0).to(torch.float32)
    xy = xy + (torch.rand(n, 2, generator=gen) * 2 - 1) * noise
    return xy, labels


def gaussians(n: int, noise: float, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Two round clouds: class 1 around (0.4, 0.4), class 0 around (-0.4, -0.4)."""
    half = n // 2
    std = 0.1 + 0.5 * noise
    centres = torch.cat([torch.full((half, 2), 0.4), torch.full((n - half, 2), -0.4)])
    xy = centres + torch.randn(n, 2, generator=gen) * std
    labels = torch.cat([torch.ones(half), torch.zeros(n - half)])
    return xy, labels


def spiral(n: int, noise: float, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Two interleaved arms turning 1.75 times round the centre."""
    half = n // 2
    arms = []
    for count, delta in ((half, 0.0), (n - half, math.pi)):
        r = torch.arange(count, dtype=torch.float32) / count
        t = 1.75 * r * 2 * math.pi + delta
        arms.append(torch.stack([r * torch.sin(t), r * torch.cos(t)], dim=1))
    xy = torch.cat(arms) + (torch.rand(n, 2, generator=gen) * 2 - 1) * noise
    labels = torch.cat([torch.ones(half), torch.zeros(n - half)])
    return xy, labels


def three_class(n: int, noise: float, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Three clouds at 90°, 210° and 330°, labelled 0, 1, 2."""
    labels = torch.arange(n) % 3
    angle = labels.to(torch.float32) * (2 * math.pi / 3) + math.pi / 2
    centres = torch.stack([torch.cos(angle), torch.sin(angle)], dim=1) * 0.55
    xy = centres + torch.randn(n, 2, generator=gen) * (0.12 + 0.4 * noise)
    return xy, labels.to(torch.float32)


def plane(n: int, noise: float, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Regression: the target is (x1 + x2) / 2 plus uniform noise."""
    xy = torch.rand(n, 2, generator=gen) * 2 - 1
    target = (xy[:, 0] + xy[:, 1]) / 2 + (torch.rand(n, generator=gen) * 2 - 1) * noise
    return xy, target


GENERATORS = {"circle": circle, "xor": xor, "gaussians": gaussians, "spiral": spiral,
              "three_class": three_class, "plane": plane}


def task_of(dataset: str) -> str:
    """``'binary'``, ``'multiclass'`` or ``'regression'``: which loss and which labels."""
    return {"three_class": "multiclass", "plane": "regression"}.get(dataset, "binary")


def check_label(task: str, label: float, where: str) -> float:
    """A label suitable for ``task``, or :class:`StateError` naming ``where``."""
    if task == "regression":
        return float(_finite(label, where, MAX_TARGET, "the target"))
    classes = (0, 1, 2) if task == "multiclass" else (0, 1)
    if isinstance(label, bool) or not isinstance(label, int | float) or label not in classes:
        raise StateError(f"{where}: the label must be one of {list(classes)}, got {label!r}")
    return float(label)


def _finite(value: object, where: str, bound: float, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise StateError(f"{where}: {what} must be a finite number, got {value!r}")
    if abs(value) > bound:
        raise StateError(f"{where}: {what} must lie in [-{bound:g}, {bound:g}], got {value!r}")
    return float(value)


def check_points(points: object, task: str) -> tuple[tuple[float, float, float], ...]:
    """Validated hand-added points as a tuple of ``(x1, x2, label)``; refuses the whole list
    with the index of the first bad point."""
    if not isinstance(points, list | tuple):
        raise StateError(f"points must be a list, not {type(points).__name__}")
    if len(points) > MAX_USER_POINTS:
        raise StateError(f"at most {MAX_USER_POINTS} hand-added points, got {len(points)}")
    clean = []
    for i, p in enumerate(points):
        where = f"point {i + 1}"
        if not isinstance(p, list | tuple) or len(p) != 3:
            raise StateError(f"{where}: expected [x1, x2, label], got {p!r:.60}")
        clean.append((_finite(p[0], where, MAX_COORD, "x1"), _finite(p[1], where, MAX_COORD, "x2"),
                      check_label(task, p[2], where)))
    return tuple(clean)


def parse_csv(text: str, task: str) -> tuple[tuple[float, float, float], ...]:
    """Points from CSV text with one ``x1,x2,label`` row per line (an optional header line
    ``x1,x2,label`` and blank lines are allowed). Any bad row refuses the whole file with a
    :class:`StateError` naming its line number."""
    if not isinstance(text, str):
        raise StateError("a CSV file must be text")
    if len(text) > MAX_CSV_BYTES:
        raise StateError(f"the CSV file is too large (more than {MAX_CSV_BYTES:,} characters)")
    points = []
    for number, line in enumerate(text.splitlines(), start=1):
        cells = [c.strip() for c in line.split(",")]
        if cells == [""]:
            continue
        if number == 1 and [c.lower() for c in cells] == ["x1", "x2", "label"]:
            continue
        where = f"line {number}"
        if len(cells) != 3:
            raise StateError(f"{where}: expected 3 values x1,x2,label, got {len(cells)}")
        values = [_parse_float(c, where) for c in cells]
        if task != "regression" and values[2].is_integer():
            values[2] = int(values[2])
        points.append(_row(values, task, where))
        if len(points) > MAX_USER_POINTS:
            raise StateError(f"{where}: more than {MAX_USER_POINTS} points")
    if not points:
        raise StateError("the CSV file holds no points")
    return tuple(points)


def _row(values: list[float], task: str, where: str) -> tuple[float, float, float]:
    return (_finite(values[0], where, MAX_COORD, "x1"), _finite(values[1], where, MAX_COORD, "x2"),
            check_label(task, values[2], where))


def _parse_float(cell: str, where: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise StateError(f"{where}: {cell[:30]!r} is not a number") from None
    return value


def make_data(dataset: str, noise: float, gen: torch.Generator,
              points: tuple[tuple[float, float, float], ...]) -> tuple[torch.Tensor, torch.Tensor]:
    """The generated points followed by the hand-added ones, as float32 ``(xy, labels)``."""
    xy, labels = GENERATORS[dataset](N_GENERATED, noise, gen)
    if points:
        extra = torch.tensor(points, dtype=torch.float32)
        xy = torch.cat([xy, extra[:, :2]])
        labels = torch.cat([labels, extra[:, 2]])
    return xy.to(torch.float32), labels.to(torch.float32)


def split(n: int, train_fraction: float, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices of the training and the test points: a seeded permutation cut at the fraction
    (at least one point on each side)."""
    order = torch.randperm(n, generator=gen)
    cut = min(max(round(n * train_fraction), 1), n - 1)
    return order[:cut], order[cut:]
