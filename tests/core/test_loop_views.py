"""The view maths of the trap, training and no_grad panels, now Qt-free: plot ranges, ticks,
curve points and the sentences under the plots — each checked against numbers worked out here."""

from __future__ import annotations

import math

import pytest

from gradviz.core.detach_demo import CHOICES, run_detach_demo
from gradviz.core.memory import (
    SWEEP_WIDTHS,
    NoGradModel,
    cell_text,
    measure,
    saving_text,
    width_ticks,
)
from gradviz.core.mininet import MiniNetwork
from gradviz.core.model import StateError
from gradviz.core.numbers import fmt
from gradviz.core.training import (
    TrainingModel,
    TrainingRun,
    centre_text,
    log_ticks,
    loss_curve,
    run_summary,
)
from gradviz.core.trap import (
    PressRecord,
    TrapModel,
    TrapSession,
    ZeroRecord,
    history_view,
    press_summary,
    zero_summary,
)
from gradviz.core.trap_reading import nudge, nudge_verdict


def test_history_view_is_five_presses_wide_then_grows_and_keeps_every_value_in_range():
    session = TrapSession(MiniNetwork())
    empty = history_view(session.history, session.true_w_grad)
    assert empty.x_range == (0.5, 5.5) and empty.presses == () and empty.tick == 1
    for _ in range(12):
        session.press("without")
    view = history_view(session.history, session.true_w_grad)
    assert view.x_range == (0.5, 12.5) and view.tick == 2
    assert view.presses == tuple(float(i) for i in range(1, 13))
    lo, hi = view.y_range
    assert lo < 0 < max(view.w_grads) < hi  # zero and the largest pile-up both show
    assert hi - max(view.w_grads) == pytest.approx(4 * -lo)  # headroom for the legend
    assert view.true_line == ((0.5, 12.5), (session.true_w_grad, session.true_w_grad))


def test_history_view_marks_failed_presses_and_leaves_gaps_for_none():
    session = TrapSession(MiniNetwork())
    session.press("reuse")
    failed = session.press("reuse")
    assert not failed.ok
    view = history_view(session.history, session.true_w_grad)
    assert view.errors == ((2.0,), (failed.w_grad,))
    none = PressRecord(1, "with", "optimizer", False, None, None, None)
    assert math.isnan(history_view([none], 0.4).w_grads[0])


def test_press_and_zero_summaries_read_the_records():
    trap = TrapModel(MiniNetwork())
    assert press_summary([], None, 0.4).startswith("Not pressed yet")
    for _ in range(5):
        trap.press()
    w, _ = trap.current_grads()
    text = press_summary(trap.history, w, trap.session.true_w_grad)
    assert text.startswith("5 presses in “Without zero_grad()”")
    assert f"{fmt(w / trap.session.true_w_grad)} ×" in text
    assert "None" in zero_summary(trap.zero("optimizer"))
    assert zero_summary(ZeroRecord("tensor", None, None, error=object())).startswith("failed")


@pytest.mark.parametrize("delta, word", [(0.001, "agree"), (1.5, "apart")])
def test_nudge_verdict_follows_the_gap(delta, word):
    assert word in nudge_verdict(nudge(MiniNetwork(), delta))


def test_loss_curve_drops_what_a_log_axis_cannot_show():
    curve = loss_curve([4.0, 2.0, float("inf"), 0.0, 1.0, float("nan")])
    assert list(curve.steps) == [0.0, 1.0, 4.0] and list(curve.losses) == [4.0, 2.0, 1.0]
    assert curve.last == (4.0, 0.0) and curve.downsample == 1
    assert loss_curve([1.0] * 4000).downsample == 5
    assert loss_curve([]).last is None


def test_log_ticks_label_decades_first_and_thin_out_wide_ranges():
    assert log_ticks([]) is None and log_ticks([float("inf"), -1.0]) is None
    major, minor = log_ticks([0.03, 4.0])
    assert [label for _, label in major] == ["0.01", "0.1", "1", "10"]
    assert ("0.05", pytest.approx(math.log10(0.05))) == (minor[1][1], minor[1][0])
    major, minor = log_ticks([1e-3, 1e3])  # six decades: no 2 and 5 ×
    assert minor == [] and len(major) == 7
    major, _ = log_ticks([1e-2, 1e30])  # a diverged run: every few decades
    assert len(major) <= 9 and major[0][0] == -2.0


def test_run_summary_and_centre_text_follow_the_run():
    model = TrainingModel(MiniNetwork())
    assert centre_text(model) == "press Run or Next phase"
    assert run_summary(model.runs["correct"]) == "step 0, loss —, w = 0.5, w.grad = None"
    model.step()
    model.step()
    run: TrainingRun = model.runs["correct"]
    text = run_summary(run)
    assert text.startswith(f"step 2, loss {fmt(run.losses[-1])}, w = {fmt(run.w.item())}")
    assert centre_text(model) == "repeat — step 2"


def test_memory_texts_and_width_ticks():
    on, off = measure(8, 1, 4, no_grad=False), measure(8, 1, 4, no_grad=True)
    assert cell_text(off, "activation_bytes") == "0 B"
    assert cell_text(on, "graph_nodes") == f"{on.graph_nodes:,}"
    assert f"({on.graph_nodes} graph nodes)" in saving_text(on, off)
    major, minor = width_ticks()
    labels = sorted(int(label) for _, label in major + minor)
    assert labels == list(SWEEP_WIDTHS) and len(major) == 5
    assert all(pos == pytest.approx(math.log10(int(label))) for pos, label in major + minor)


@pytest.mark.parametrize("choice", CHOICES)
def test_each_detach_note_matches_the_gradients(choice):
    r = run_detach_demo(choice)
    assert fmt(r.grads["x"]) in r.note
    assert ("None" in r.note) == (r.grads["y"] is None)


@pytest.mark.parametrize("model", [MiniNetwork, TrapModel, TrainingModel, NoGradModel])
def test_every_setting_has_a_name_and_a_tooltip(model):
    for name, setting in model.SETTINGS.items():
        assert setting.label and setting.doc.endswith("."), name


def test_mini_network_takes_keyword_values_and_refuses_bad_ones():
    assert MiniNetwork(w=1.5, seed=3).to_dict()["w"] == 1.5
    with pytest.raises(StateError, match="must lie in"):
        MiniNetwork(w=1e9)
    with pytest.raises(StateError, match="unknown field"):
        MiniNetwork(z=1.0)
