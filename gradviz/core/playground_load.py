"""Loading a saved Playground: everything is checked on a scratch model before the live one
changes (see :meth:`gradviz.core.playground.PlaygroundModel.from_dict`)."""

from __future__ import annotations

import math
from typing import Any

import torch

from gradviz.core.model import StateError, check_number
from gradviz.core.playground_data import check_points, task_of
from gradviz.core.playground_net import TRAINING
from gradviz.core.playground_state import (
    CURVE_EVERY,
    decode_curve,
    decode_optimizer,
    decode_params,
    load_optimizer_state,
)

_KEYS = {"settings", "points", "start", "log", "steps"}
_RUN_KEYS = {"weights", "optimizer", "epoch", "cursor", "train_curve", "test_curve"}


def build_from_dict(cls: type, data: Any) -> Any:
    """A new ``cls`` model holding the saved state ``data``, or :class:`StateError`."""
    label = cls.key
    if not isinstance(data, dict):
        raise StateError(f"{label}: expected an object, got {type(data).__name__}")
    unknown = set(data) - _KEYS - _RUN_KEYS
    missing = _KEYS - set(data)
    if unknown or missing:
        raise StateError(f"{label}: unknown field(s) {sorted(unknown)}, missing {sorted(missing)}")
    model = cls()
    values = _settings(cls, data["settings"])
    values["points"] = check_points(data["points"], task_of(values["dataset"]))
    start = _start(cls, data["start"])
    steps = int(check_number(f"{label}.steps", data["steps"], 0, 2**40, integer=True))
    log = _log(cls, data["log"], steps, start, values)
    model._values.update(values)
    object.__setattr__(model, "_start", start)
    object.__setattr__(model, "log", log)
    if steps > 0:
        if set(data) != _KEYS | _RUN_KEYS:
            raise StateError(f"{label}: a run of {steps} steps needs {sorted(_RUN_KEYS)}")
        _load_run(model, data, steps)
    elif set(data) & _RUN_KEYS:
        raise StateError(f"{label}: a run at step 0 stores no weights")
    return model


def _settings(cls: type, data: Any) -> dict[str, Any]:
    label = f"{cls.key}.settings"
    if not isinstance(data, dict) or set(data) != set(cls.SETTINGS):
        raise StateError(f"{label} must name exactly {sorted(cls.SETTINGS)}")
    return {n: cls.SETTINGS[n].validate(f"{cls.key}.{n}", v) for n, v in data.items()}


def _start(cls: type, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict) or set(data) != set(TRAINING):
        raise StateError(f"{cls.key}.start must name exactly {sorted(TRAINING)}")
    return {n: cls.SETTINGS[n].validate(f"{cls.key}.start.{n}", v) for n, v in data.items()}


def _log(cls: type, data: Any, steps: int, start: dict[str, Any],
         values: dict[str, Any]) -> list[tuple[int, str, Any]]:
    """The validated change log; replayed over ``start`` it must give the saved settings."""
    label = f"{cls.key}.log"
    if not isinstance(data, list) or len(data) > 100_000:
        raise StateError(f"{label} must be a list")
    log: list[tuple[int, str, Any]] = []
    replay = dict(start)
    for i, entry in enumerate(data):
        where = f"{label}[{i}]"
        if not isinstance(entry, list | tuple) or len(entry) != 3 or entry[1] not in replay:
            raise StateError(f"{where} must be [step, training setting, value]")
        step = int(check_number(f"{where}.step", entry[0], 1, steps, integer=True))
        if log and step < log[-1][0]:
            raise StateError(f"{where}: the log must be in step order")
        value = cls.SETTINGS[entry[1]].validate(f"{where}.value", entry[2])
        replay[entry[1]] = value
        log.append((step, entry[1], value))
    if any(replay[n] != values[n] for n in replay):
        raise StateError(f"{label}: the start settings and the log do not lead to the settings")
    return log


def _load_run(model: Any, data: dict[str, Any], steps: int) -> None:
    label = model.key
    run = model.run  # built from the settings and the seed
    params = list(run.network.parameters())
    weights = decode_params(f"{label}.weights", data["weights"], [p.shape for p in params])
    state = decode_optimizer(f"{label}.optimizer", data["optimizer"], model.optimizer,
                             [p.shape for p in params])
    epoch = int(check_number(f"{label}.epoch", data["epoch"], 0, 2**28 - 1, integer=True))
    cursor = int(check_number(f"{label}.cursor", data["cursor"], 0, len(run.x_train) - 1,
                              integer=True))
    length = steps // CURVE_EVERY + 1
    train = decode_curve(f"{label}.train_curve", data["train_curve"], length)
    test = decode_curve(f"{label}.test_curve", data["test_curve"], length)
    with torch.no_grad():
        for p, w in zip(params, weights, strict=True):
            p.copy_(w)
    try:
        load_optimizer_state(run.optimizer, state)
    except (ValueError, KeyError, RuntimeError) as exc:
        raise StateError(f"{label}.optimizer: {exc}") from None
    run.epoch, run.cursor, run.order = epoch, cursor, None
    run.train_curve, run.test_curve = train, test
    object.__setattr__(model, "steps", steps)
    if not math.isfinite(model.train_loss):
        model._diverge()
