"""The Playground model: validated fields, seeded and deterministic runs, the mid-run log, undo,
and save/load of the whole run (weights, optimizer state, curves)."""

from __future__ import annotations

import json
import math
from unittest.mock import Mock

import pytest
import torch

from gradviz.core.commands import SetFieldCommand
from gradviz.core.model import AppModel, StateError, SubModel
from gradviz.core.playground import PlaygroundModel
from gradviz.core.playground_net import data_loss


def small(**fields) -> PlaygroundModel:
    model = PlaygroundModel()
    model.hidden = (6, 4)
    for name, value in fields.items():
        setattr(model, name, value)
    return model


def test_it_is_a_sub_model_and_registers():
    model = PlaygroundModel()
    assert isinstance(model, SubModel)
    app = AppModel()
    assert app.register(model) is app["playground"]


def test_construction_builds_nothing():
    assert PlaygroundModel()._run is None


BAD_VALUES = [
    ("dataset", "moons"), ("dataset", 3), ("noise", 0.6), ("noise", -0.1), ("noise", math.nan),
    ("train_fraction", 0.05), ("train_fraction", 0.95), ("hidden", (17,)), ("hidden", (0,)),
    ("hidden", (4,) * 9), ("hidden", (2.5,)), ("hidden", (True,)), ("hidden", "4,2"),
    ("activation", "gelu"), ("optimizer", "sgd"), ("momentum", 1.0), ("lr", 0.0),
    ("lr", math.inf), ("batch_size", 0), ("batch_size", 2.5), ("regularization", "L3"),
    ("reg_rate", -1.0), ("seed", -1), ("seed", 2**31), ("seed", 1.5),
]


@pytest.mark.parametrize(("name", "value"), BAD_VALUES)
def test_invalid_values_are_refused_and_change_nothing(name, value):
    model = small()
    model.step(3)
    before = model.to_dict()
    spy = Mock()
    getattr(model.events, name).connect(spy)
    with pytest.raises(ValueError):
        setattr(model, name, value)
    assert model.to_dict() == before
    spy.assert_not_called()


def test_state_error_is_a_value_error():
    assert issubclass(StateError, ValueError)


def test_hidden_is_a_tuple_and_saved_as_a_list():
    model = PlaygroundModel()
    model.hidden = [3, 5]
    assert model.hidden == (3, 5)
    assert model.to_dict()["settings"]["hidden"] == [3, 5]
    model.hidden = ()
    assert [type(m).__name__ for m in model.network] == ["Linear"]


def _run(seed: int = 3, steps: int = 25, **fields) -> PlaygroundModel:
    model = small(seed=seed, **fields)
    model.step(steps)
    return model


def test_two_fresh_models_give_the_same_numbers():
    a, b = _run(), _run()
    assert a.train_curve == b.train_curve and a.test_curve == b.test_curve
    for p, q in zip(a.network.parameters(), b.network.parameters(), strict=True):
        assert torch.equal(p, q)
    assert _run(seed=4).train_curve != a.train_curve


def test_the_global_rng_is_neither_used_nor_disturbed():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    first = _run().train_curve
    assert torch.equal(torch.rand(3), expected)
    torch.manual_seed(999)
    assert _run().train_curve == first


def test_steps_batches_and_epochs():
    model = small(batch_size=64, train_fraction=0.5)
    n_train = len(model.data()[0])
    seen = []
    for _ in range(math.ceil(n_train / 64)):
        x, _ = model.next_batch()
        seen.append(x)
    assert sum(len(x) for x in seen) == n_train
    assert torch.unique(torch.cat(seen), dim=0).shape[0] == torch.unique(model.data()[0], dim=0).shape[0]
    assert model.run.epoch == 1 and model.run.cursor == 0


def test_step_counts_updates_and_emits_once():
    model = small()
    spy = Mock()
    model.events.stepped.connect(spy)
    assert model.step(7) == 7
    assert model.steps == 7 and model.curve_steps == [0, 5] and len(model.train_curve) == 2
    spy.assert_called_once_with(7)
    # Off the curve's multiples, train_loss is still the loss of the current weights.
    assert (model.train_loss, model.test_loss) == model.evaluate()
    model.step(3)
    assert model.train_curve[-1] == model.train_loss == model.evaluate()[0]


def test_evaluate_is_the_full_set_data_loss_without_regularization():
    model = small(regularization="L2", reg_rate=0.5)
    model.step(5)
    x_train, y_train, x_test, y_test = model.data()
    with torch.no_grad():
        train = float(data_loss(model.network(x_train), y_train, model.task))
        test = float(data_loss(model.network(x_test), y_test, model.task))
    got = model.evaluate()
    assert got[0] == pytest.approx(train, abs=1e-6) and got[1] == pytest.approx(test, abs=1e-6)
    assert (model.train_loss, model.test_loss) == got
    assert model.objective(model.network(x_train), y_train).item() > train + 0.01


@pytest.mark.parametrize(("dataset", "loss"), [
    ("circle", "binary_cross_entropy_with_logits"), ("three_class", "cross_entropy"),
    ("plane", "mse_loss")])
def test_the_loss_follows_the_dataset(dataset, loss):
    model = small(dataset=dataset)
    x, y, _, _ = model.data()
    with torch.no_grad():
        out = model.network(x)
        target = y.long() if dataset == "three_class" else y
        expected = getattr(torch.nn.functional, loss)(out if dataset == "three_class" else out[:, 0],
                                                     target)
    assert model.evaluate()[0] == pytest.approx(float(expected), abs=1e-6)
    assert model.network[-1].out_features == (3 if dataset == "three_class" else 1)


def test_training_lowers_the_loss():
    model = small(dataset="gaussians", lr=0.05)
    start = model.train_loss
    model.step(150)
    assert model.train_loss < 0.5 * start


def test_reset_keeps_fields_and_rebuilds_the_start():
    model = small(seed=5, lr=0.02)
    first = [p.detach().clone() for p in model.network.parameters()]
    start_loss = model.train_loss
    model.step(10)
    spy = Mock()
    model.events.was_reset.connect(spy)
    model.reset()
    spy.assert_called_once()
    assert model.steps == 0 and model.lr == 0.02 and model.seed == 5 and model.log == []
    assert model.train_curve == [start_loss]
    for p, q in zip(first, model.network.parameters(), strict=True):
        assert torch.equal(p, q)


def test_restore_defaults_is_file_new():
    model = small(seed=5, lr=0.02)
    model.points = model.with_point(0.1, 0.1, 1)
    model.restore_defaults()
    assert model.to_dict() == PlaygroundModel().to_dict()


def test_structure_changes_restart_the_run():
    model = small()
    model.step(4)
    seen = []
    model.events.hidden.connect(lambda _: seen.append((model.steps, model.network[0].out_features)))
    model.hidden = (3,)
    assert seen == [(0, 3)]  # listeners of the field event already see the new run
    assert model.steps == 0 and model.network[0].out_features == 3


def test_mid_run_changes_are_logged_and_applied():
    model = small(optimizer="SGD", momentum=0.0)
    model.lr = 0.2  # at step 0: the start setting, not a log entry
    model.step(4)
    model.lr = 0.05
    model.batch_size = 3
    model.step(2)
    model.optimizer = "RMSprop"
    assert model.start_settings["lr"] == 0.2
    assert model.log == [(4, "lr", 0.05), (4, "batch_size", 3), (6, "optimizer", "RMSprop")]
    assert isinstance(model.optimizer_instance, torch.optim.RMSprop)
    assert model.optimizer_instance.param_groups[0]["lr"] == 0.05


def test_changes_are_undoable_with_set_field_command():
    model = small()
    model.step(3)
    cmd = SetFieldCommand(model, "lr", 0.5)
    cmd.do()
    assert model.lr == 0.5
    cmd.undo()
    assert model.lr == 0.01 and model.log[-1] == (3, "lr", 0.01)
    points = SetFieldCommand(model, "points", model.with_point(0.2, -0.3, 0), merge=False)
    points.do()
    assert model.points == ((0.2, -0.3, 0.0),)
    points.undo()
    assert model.points == ()
    with pytest.raises(ValueError):
        SetFieldCommand(model, "hidden", (99,)).do()


def _saved(model: PlaygroundModel) -> dict:
    """Through JSON as a lesson file would (no NaN allowed)."""
    return json.loads(json.dumps(model.to_dict(), allow_nan=False))


@pytest.mark.parametrize("optimizer", ["SGD", "Adam", "RMSprop"])
def test_a_loaded_run_continues_exactly(optimizer):
    model = small(optimizer=optimizer, seed=2)
    model.points = model.with_point(0.5, 0.5, 0)
    model.step(13)
    model.lr = 0.03
    model.step(4)
    loaded = PlaygroundModel()
    loaded.from_dict(_saved(model))
    assert loaded.to_dict() == model.to_dict()
    model.step(20)
    loaded.step(20)
    assert loaded.train_curve == model.train_curve
    for p, q in zip(model.network.parameters(), loaded.network.parameters(), strict=True):
        assert torch.equal(p, q)


def test_a_fresh_model_round_trips_without_building():
    model = small(dataset="spiral")
    loaded = PlaygroundModel()
    loaded.from_dict(_saved(model))
    assert loaded.to_dict() == model.to_dict() and loaded._run is None


def _corrupt(data: dict, path: tuple, value) -> dict:
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize(("path", "value"), [
    (("settings", "lr"), -1.0), (("settings", "hidden"), [40]), (("settings", "dataset"), "x"),
    (("steps",), -1), (("weights",), [[1.0]]), (("weights", 0, 0), "1"),
    (("optimizer", 0), {"exp_avg": [0.0]}), (("optimizer", 0), {"bogus": 1}),
    (("train_curve",), [0.5]), (("log",), [[1, "lr", 0.5]]), (("log",), [[99, "lr", 0.01]]),
    (("log",), [[1, "seed", 3]]), (("cursor",), 10**6), (("points",), [[0, 0, 7]]),
    (("start", "lr"), 0.5), (("extra",), 1)])
def test_bad_saved_state_is_refused_and_changes_nothing(path, value):
    source = small(optimizer="Adam")
    source.step(5)
    data = _corrupt(_saved(source), path, value)
    target = small(seed=9)
    target.step(2)
    before = target.to_dict()
    with pytest.raises(StateError):
        target.from_dict(data)
    assert target.to_dict() == before


def test_a_diverged_run_stops_and_still_saves():
    model = small(dataset="plane", optimizer="SGD", lr=10.0, momentum=0.99, hidden=(16, 16),
                  activation="linear")
    model.step(500)
    assert model.diverged and model.steps < 500
    data = _saved(model)
    assert not math.isfinite(model.train_loss)
    loaded = PlaygroundModel()
    loaded.from_dict(data)
    assert loaded.diverged and loaded.step(1) == 0


def test_app_model_round_trip_and_rollback():
    app = AppModel()
    model = app.register(small(seed=4))
    model.step(6)
    state = json.loads(json.dumps(app.to_dict(), allow_nan=False))
    other = AppModel()
    other.register(PlaygroundModel()).step(2)
    other.from_dict(state)
    assert other["playground"].to_dict() == model.to_dict()
    state["models"]["playground"]["state"]["steps"] = "six"
    before = other["playground"].to_dict()
    with pytest.raises(StateError):
        other.from_dict(state)
    assert other["playground"].to_dict() == before
