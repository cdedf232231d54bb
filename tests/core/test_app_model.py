from unittest.mock import Mock

import pytest

from gradviz.core.commands import SetFieldCommand
from gradviz.core.mininet import MiniNetwork
from gradviz.core.model import AppModel, StateError


@pytest.fixture
def model():
    m = AppModel()
    m.register(MiniNetwork())
    return m


def test_registry_refuses_duplicates_and_non_submodels(model):
    with pytest.raises(ValueError):
        model.register(MiniNetwork())
    with pytest.raises(TypeError):
        model.register(object())


def test_field_event_fires_only_on_a_real_change(model):
    net = model["mininet"]
    spy = Mock()
    net.events.w.connect(spy)
    net.w = 0.7
    net.w = 0.7
    spy.assert_called_once()
    assert spy.call_args.args[0] == 0.7


def test_round_trip_restores_every_field(model):
    net = model["mininet"]
    net.w, net.b, net.seed = 1.5, -0.25, 7
    state = model.to_dict()
    model.reset()
    assert net.w == 0.5 and net.seed == 0
    model.from_dict(state)
    assert (net.w, net.b, net.seed) == (1.5, -0.25, 7)


@pytest.mark.parametrize("mutate, message", [
    (lambda s: s["models"]["mininet"]["state"].update(w="big"), "must be a number"),
    (lambda s: s["models"]["mininet"]["state"].update(w=float("nan")), "finite"),
    (lambda s: s["models"]["mininet"]["state"].update(n_samples=1.5), "whole number"),
    (lambda s: s["models"]["mininet"]["state"].update(w=1e9), "must lie in"),
    (lambda s: s["models"]["mininet"]["state"].update(evil=1), "unknown field"),
    (lambda s: s["models"].update(nope={}), "unknown model"),
    (lambda s: s.update(format_version=99), "not supported"),
    (lambda s: s["models"]["mininet"].update(version=2), "unsupported version"),
])
def test_bad_state_is_refused_and_nothing_changes(model, mutate, message):
    net = model["mininet"]
    state = model.to_dict()
    state["models"]["mininet"]["state"]["b"] = 3.0  # a valid change loaded before the bad one
    mutate(state)
    with pytest.raises(StateError, match=message):
        model.from_dict(state)
    assert net.b == 0.0 and net.w == 0.5


def test_set_field_command_merges_a_drag_into_one_undo_step(model):
    net = model["mininet"]
    first = SetFieldCommand(net, "w", 0.6)
    first.do()
    second = SetFieldCommand(net, "w", 0.9)
    second.do()
    assert first.merge_with(second)
    assert first.label == "Set w = 0.9"
    first.undo()
    assert net.w == 0.5


def test_connection_count_sees_listeners(model):
    before = model.connection_count()
    slot = Mock()
    model["mininet"].events.x.connect(slot)
    assert model.connection_count() == before + 1
    model["mininet"].events.x.disconnect(slot)
    assert model.connection_count() == before


def test_replace_swaps_a_sub_model_and_announces_it():
    model = AppModel()
    first = model.register(MiniNetwork())
    seen = []
    model.registered.connect(seen.append)
    second = MiniNetwork(w=2.0)
    assert model.replace(second) is second and model["mininet"] is second is not first
    assert seen == ["mininet"]
    with pytest.raises(KeyError):
        AppModel().replace(MiniNetwork())
