"""The loss-surface sub-model: saved fields, the derived race, presets and commands."""

from __future__ import annotations

import pytest

from gradviz.core.commands import SetFieldsCommand
from gradviz.core.loss_surface import PRESETS, LossSurface
from gradviz.core.mininet import MiniNetwork
from gradviz.core.model import StateError
from gradviz.core.optim_race import OptimizerSettings, run_directly


def test_race_follows_the_fields_and_equals_torch_optim():
    s = LossSurface()
    s.from_dict({"ball2": "adam", "lr2": 0.2, "ball3": "nesterov"})
    s.step(12)
    race = s.race
    assert [b.settings.kind for b in race.balls] == ["sgd", "adam", "nesterov"]
    for ball in race.balls:
        ref = run_directly(s.current_surface().fn, (s.start_x, s.start_y), ball.settings, 12)
        assert ball.path[-1] == tuple(float(v) for v in ref[-1])


def test_changing_the_learning_rate_replays_the_same_number_of_steps():
    s = LossSurface()
    s.step(10)
    s.lr1 = 0.2
    assert s.race.steps == 10
    assert s.race.balls[0].settings == OptimizerSettings("sgd", 0.2, 0.9, 0.9, 0.999)
    s.surface = "saddle"
    assert s.race.steps == 0  # a new landscape starts afresh


def test_step_back_and_restart_emit_stepped():
    s = LossSurface()
    seen = []
    s.stepped.connect(seen.append)
    s.step(3)
    assert s.back() and s.race.steps == 2
    after_back = s.race.balls[0].position
    s.restart()
    s.step(2)
    assert s.race.balls[0].position == after_back
    assert seen == [3, 2, 0, 2]
    s.restart()
    assert not s.back()


def test_save_load_round_trip_and_validation_never_half_loads():
    s = LossSurface()
    s.from_dict(s.values_for_preset("race_elongated"))
    data = s.to_dict()
    t = LossSurface()
    t.from_dict(data)
    assert t.to_dict() == data
    before = t.to_dict()
    for bad in ({"lr1": 11.0}, {"grid": 20}, {"ball1": "off"}, {"expression": "x +* y"},
                {"surface": "moon"}, {"lr2": 0.5, "ball3": "lbfgs"}):
        with pytest.raises(StateError):
            t.from_dict(bad)
        assert t.to_dict() == before


def test_every_preset_is_valid_and_the_chapter_picture_is_one_red_sgd_ball_on_the_bowl():
    s = LossSurface()
    for key in PRESETS:
        s.from_dict(s.values_for_preset(key))
        s.step(5)
    s.from_dict(s.values_for_preset("chapter3d"))
    assert s.surface == "bowl" and s.ball_numbers() == [1] and s.ball1 == "sgd" and s.show_arrow


def test_mininet_surface_shares_the_one_network():
    net = MiniNetwork()
    s = LossSurface.sharing(net)
    assert s.mininet is net
    s.from_dict(s.values_for_surface("mininet"))
    assert (s.start_x, s.start_y) == (net.w, net.b)
    first = s.grid_data()
    net.seed = 3
    assert s.grid_data() is not first
    s.step(40)
    # plain full-batch gradient descent on the network's own data, by hand
    import torch

    w = torch.tensor(net.w, requires_grad=True)
    b = torch.tensor(net.b, requires_grad=True)
    for _ in range(40):
        net.mse(w, b).backward()
        with torch.no_grad():
            w -= s.lr1 * w.grad
            b -= s.lr1 * b.grad
        w.grad.zero_()
        b.grad.zero_()
    assert s.race.balls[0].position == pytest.approx((w.item(), b.item()), rel=1e-5)


def test_set_fields_command_is_one_undo_step():
    s = LossSurface()
    cmd = SetFieldsCommand(s, {"start_x": 0.5, "start_y": -0.5, "surface": "bowl"}, "move")
    assert set(cmd.values) == {"start_x", "start_y"}  # bowl was already the surface
    cmd.do()
    assert (s.start_x, s.start_y) == (0.5, -0.5)
    cmd.undo()
    assert (s.start_x, s.start_y) == (1.5, 1.2)
    with pytest.raises(StateError):
        SetFieldsCommand(s, {"lr1": -1.0}, "bad").do()
    assert s.lr1 == 0.05


def test_reset_restores_defaults_and_restarts():
    s = LossSurface()
    s.lr1 = 0.3
    s.step(4)
    s.reset()
    assert s.lr1 == 0.05 and s.race.steps == 0


def test_code_shows_the_manual_update_and_the_optimizer():
    s = LossSurface()
    s.from_dict({"ball1": "adam", "lr1": 0.01})
    manual, optim = s.code_text()
    assert "with torch.no_grad():\n        p -= lr * p.grad" in manual
    assert "torch.optim.Adam([p], lr=0.01, betas=(0.9, 0.999))" in optim
    assert "return x**2 + y**2" in manual


def test_changing_one_ball_keeps_the_others_and_labels_follow_the_ball_number():
    s = LossSurface()
    s.from_dict({"ball3": "adam", "lr3": 0.1})
    s.step(20)
    adam = s.race.balls[1]
    assert adam.label == "3 · Adam"  # ball 2 is off: ball 3 keeps its number
    s.lr1 = 0.07
    race = s.race
    assert race.balls[1] is adam and adam.steps == 20  # taken over, not replayed
    assert race.balls[0].steps == 20 and race.balls[0].settings.lr == 0.07
    ref = run_directly(s.current_surface().fn, (s.start_x, s.start_y), race.balls[0].settings, 20)
    assert race.balls[0].position == tuple(float(v) for v in ref[-1])
    s.start_x = 1.0
    assert s.race.steps == 0  # a new start starts afresh


def test_step_says_whether_anything_moved():
    s = LossSurface()
    s.from_dict({"lr1": 10.0})
    assert s.step(1)
    s.step(20)
    assert s.race.balls[0].stopped
    assert not s.step(1)


def test_every_setting_tells_a_control_its_name_and_purpose():
    s = LossSurface()
    for name, setting in LossSurface.SETTINGS.items():
        assert setting.label and setting.doc.endswith("."), name
        if setting.choices is not None and setting.choice_labels is not None:
            assert len(setting.choice_labels) == len(setting.choices), name
    # the race's steps are an action, never a saved field
    assert "stepped" not in s.to_dict() and hasattr(s.events, "stepped")
    assert LossSurface.setting("lr3").log and LossSurface.setting("grid").step == 10
