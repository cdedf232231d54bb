"""A small MLP trained live on 2-D data: the Playground's Qt-free model.

:class:`PlaygroundModel` holds the settings (each validated when it is set), the hand-added
points and one training run: the data, ``network`` (a real ``torch.nn.Sequential``), a real
``torch.optim`` optimizer, the loss curves and the log of settings changed mid-run. Every random
number comes from generators seeded from ``seed``, so the same settings give the same numbers.

Changing the data, the architecture or the seed starts the run again from step 0; changing a
training setting (optimizer, learning rate, …) mid-run takes effect at the next update and is
logged as ``(step, field, value)`` so :func:`~gradviz.core.playground_code.export_code` can replay
it. Nothing is built until it is first needed: constructing the model costs nothing at start-up.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from psygnal import Signal, SignalGroup

from gradviz.core.model import AppModel, Setting, SettingsModel, StateError, check_number
from gradviz.core.panel_info import PanelInfo, Presenter, shared
from gradviz.core.playground_data import (
    DATASETS,
    MAX_COORD,
    check_points,
    make_data,
    parse_csv,
    split,
    task_of,
)
from gradviz.core.playground_load import build_from_dict
from gradviz.core.playground_net import (
    ACTIVATIONS,
    DATA_STREAM,
    INIT_STREAM,
    OPTIMIZERS,
    REGULARIZATIONS,
    TRAINING,
    build_network,
    data_loss,
    epoch_order,
    make_optimizer,
    penalty,
    stream_seed,
)
from gradviz.core.playground_state import (
    CURVE_EVERY,
    encode_floats,
    encode_optimizer,
    encode_params,
)

MAX_LAYERS = 8
MAX_WIDTH = 16
MAX_STEPS_PER_CALL = 1_000_000


def check_hidden(label: str, value: Any) -> tuple[int, ...]:
    """The hidden layer sizes: 0 to 8 whole numbers, each from 1 to 16 (stored as a tuple)."""
    if not isinstance(value, list | tuple) or len(value) > MAX_LAYERS:
        raise StateError(f"{label} must be a list of at most {MAX_LAYERS} layer sizes")
    for size in value:
        if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_WIDTH:
            raise StateError(f"{label}: each layer has 1 to {MAX_WIDTH} neurons, "
                             f"got {size!r:.20}")
    return tuple(value)


#: Settings whose change rebuilds the data or the network (the run starts again).
STRUCTURE = ("dataset", "noise", "train_fraction", "hidden", "activation", "seed")


class PlaygroundEvents(SignalGroup):
    """One signal per setting, ``points``, and the actions ``stepped(steps)`` and
    ``was_reset()`` (the run started again or was loaded)."""

    dataset = Signal(str)
    noise = Signal(float)
    train_fraction = Signal(float)
    hidden = Signal(object)
    activation = Signal(str)
    optimizer = Signal(str)
    momentum = Signal(float)
    lr = Signal(float)
    batch_size = Signal(int)
    regularization = Signal(str)
    reg_rate = Signal(float)
    seed = Signal(int)
    points = Signal(object)
    stepped = Signal(int)
    was_reset = Signal()


class _Run:
    """The tensors of one training run (built from the settings on first use)."""

    def __init__(self, model: PlaygroundModel) -> None:
        s = model.settings()
        self.task = task_of(s["dataset"])
        data_gen = torch.Generator().manual_seed(stream_seed(s["seed"], DATA_STREAM))
        xy, labels = make_data(s["dataset"], s["noise"], data_gen, s["points"])
        train, test = split(len(xy), s["train_fraction"], data_gen)
        self.x_train, self.y_train = xy[train], labels[train]
        self.x_test, self.y_test = xy[test], labels[test]
        self.x_all = torch.cat([self.x_train, self.x_test])
        init_gen = torch.Generator().manual_seed(stream_seed(s["seed"], INIT_STREAM))
        n_out = 3 if self.task == "multiclass" else 1
        self.network = build_network(s["hidden"], s["activation"], n_out, init_gen)
        self.optimizer = make_optimizer(s["optimizer"], list(self.network.parameters()),
                                        s["lr"], s["momentum"])
        self.epoch = 0
        self.cursor = 0
        self.order: torch.Tensor | None = None
        self.train_curve: list[float] = []
        self.test_curve: list[float] = []
        self.latest: tuple[int, float, float] | None = None  # (steps, train, test) off the curve


class PlaygroundModel(SettingsModel):
    """Settings, hand-added points and one live training run of a small MLP on 2-D data.

    Examples
    --------
    >>> model = PlaygroundModel()
    >>> model.hidden = (8, 8)
    >>> model.step(5)
    5
    >>> model.steps
    5
    """

    key = "playground"
    format_version = 1
    SETTINGS = {
        "dataset": Setting("circle", choices=DATASETS, label="data set",
                           doc="Which generated points to learn (hand-added points come on top)."),
        "noise": Setting(0.1, lo=0.0, hi=0.5, step=0.05, decimals=2, label="noise",
                         doc="How far the generated points are pushed off their pattern."),
        "train_fraction": Setting(0.5, lo=0.1, hi=0.9, step=0.1, decimals=1,
                                  label="train fraction",
                                  doc="Share of the points used for training; the rest test."),
        "hidden": Setting((4, 2), check=check_hidden, label="hidden layers",
                          doc="Neurons in each hidden layer (0 to 8 layers of 1 to 16)."),
        "activation": Setting("tanh", choices=ACTIVATIONS, label="activation",
                              doc="The function every hidden neuron applies to w·x + b."),
        "optimizer": Setting("Adam", choices=OPTIMIZERS, label="optimizer",
                             doc="The torch.optim rule that turns gradients into updates."),
        "momentum": Setting(0.9, lo=0.0, hi=0.99, step=0.05, decimals=2, label="momentum",
                            doc="How much of the previous update SGD and RMSprop carry on."),
        "lr": Setting(0.01, lo=1e-5, hi=10.0, step=0.001, decimals=5, label="learning rate",
                      doc="The step size each update multiplies the gradient (or its average) by."),
        "batch_size": Setting(10, lo=1, hi=10_000, integer=True, label="batch size",
                              doc="Points per update, taken in a fresh shuffled order each epoch."),
        "regularization": Setting("none", choices=REGULARIZATIONS, label="regularization",
                                  doc="An extra loss term that pulls the weights toward zero."),
        "reg_rate": Setting(0.001, lo=0.0, hi=1.0, step=0.001, decimals=4,
                            label="regularization rate",
                            doc="λ, the weight of the regularization term."),
        "seed": Setting(0, lo=0, hi=2**31 - 1, integer=True, label="seed",
                        doc="Seeds the data, the split, the initial weights and the batch order."),
    }
    Events = PlaygroundEvents

    def __init__(self) -> None:
        super().__init__()
        self._values["points"] = ()
        object.__setattr__(self, "_run", None)
        object.__setattr__(self, "steps", 0)
        object.__setattr__(self, "log", [])
        object.__setattr__(self, "diverged", "")
        object.__setattr__(self, "_start", {n: self._values[n] for n in TRAINING})

    # -- settings -------------------------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        """Every setting and the hand-added points, as stored."""
        return dict(self._values)

    @property
    def task(self) -> str:
        """``'binary'``, ``'multiclass'`` or ``'regression'``."""
        return task_of(self.dataset)

    def _check(self, name: str, value: Any) -> Any:
        if name == "points":
            return check_points(value, self.task)
        clean = self.SETTINGS[name].validate(f"{self.key}.{name}", value)
        if name == "dataset" and self.points:
            check_points(self.points, task_of(clean))  # the hand-added labels must still fit
        return clean

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self.SETTINGS and name != "points":
            object.__setattr__(self, name, value)
            return
        clean = self._check(name, value)
        old = self._values[name]
        if clean == old and type(clean) is type(old):
            return
        self._values[name] = clean
        if name in TRAINING:
            self._training_setting_changed(name, clean)
        else:
            self._clear_run()  # before the event, so its listeners see the new data
        getattr(self.events, name).emit(clean)
        if name not in TRAINING:
            self.events.was_reset.emit()

    def _training_setting_changed(self, name: str, value: Any) -> None:
        if self.steps == 0:
            self._start[name] = value
        else:
            self.log.append((self.steps, name, value))
        run = self._run
        if run is None:
            return
        if name == "optimizer":
            run.optimizer = make_optimizer(value, list(run.network.parameters()), self.lr,
                                           self.momentum)
        elif name in ("lr", "momentum"):
            for group in run.optimizer.param_groups:
                if name in group:
                    group[name] = value

    # -- hand-added points ----------------------------------------------------------------

    def with_point(self, x1: float, x2: float, label: float) -> tuple:
        """The points with one more (for an undoable ``SetFieldCommand(model, 'points', …)``)."""
        return check_points(list(self.points) + [(x1, x2, label)], self.task)

    def without_points_near(self, x1: float, x2: float, radius: float) -> tuple:
        """The points minus those within ``radius`` of (x1, x2)."""
        r = check_number("radius", radius, 0.0, MAX_COORD)
        x1, x2 = (check_number(n, v, -MAX_COORD, MAX_COORD) for n, v in (("x1", x1), ("x2", x2)))
        return tuple(p for p in self.points if math.hypot(p[0] - x1, p[1] - x2) > r)

    def load_csv(self, text: str) -> None:
        """Replace the hand-added points with a CSV file's ``x1,x2,label`` rows; a bad row
        refuses the whole file (the message names the line) and changes nothing."""
        self.points = parse_csv(text, self.task)

    # -- the run --------------------------------------------------------------------------

    @property
    def run(self) -> _Run:
        if self._run is None:
            object.__setattr__(self, "_run", _Run(self))
            self._record()
        return self._run

    @property
    def network(self) -> torch.nn.Sequential:
        """The ``torch.nn.Module`` being trained."""
        return self.run.network

    @property
    def optimizer_instance(self) -> torch.optim.Optimizer:
        """The live ``torch.optim`` optimizer."""
        return self.run.optimizer

    def _restart(self) -> None:
        self._clear_run()
        self.events.was_reset.emit()

    def _clear_run(self) -> None:
        object.__setattr__(self, "_run", None)
        object.__setattr__(self, "steps", 0)
        object.__setattr__(self, "log", [])
        object.__setattr__(self, "diverged", "")
        object.__setattr__(self, "_start", {n: self._values[n] for n in TRAINING})

    def reset(self) -> None:
        """Start the run again: every setting stays, the data and the initial weights are rebuilt
        from ``seed``, step 0 and empty curves. :meth:`restore_defaults` is File → New."""
        self._restart()

    def restore_defaults(self) -> None:
        """Every setting back to its default, no hand-added points, a fresh run."""
        defaults = {n: s.default for n, s in self.SETTINGS.items()}
        defaults["points"] = ()
        changed = [n for n, v in defaults.items() if self._values[n] != v]
        self._values.update(defaults)
        self._clear_run()
        for name in changed:
            getattr(self.events, name).emit(self._values[name])
        self.events.was_reset.emit()

    def next_batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The next ``batch_size`` training points of the current epoch's permutation (an
        epoch's last batch may be shorter); advances the position."""
        run = self.run
        n = len(run.x_train)
        if run.order is None or run.cursor == 0:
            run.order = epoch_order(self.seed, run.epoch, n)
        idx = run.order[run.cursor: run.cursor + self.batch_size]
        run.cursor += len(idx)
        if run.cursor >= n:
            run.epoch += 1
            run.cursor = 0
        return run.x_train[idx], run.y_train[idx]

    def objective(self, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """What the optimizer minimizes: the data loss plus the regularization term."""
        return data_loss(output, target, self.run.task) + penalty(
            self.run.network, self.regularization, self.reg_rate)

    def step(self, n: int = 1) -> int:
        """Make up to ``n`` optimizer updates (none once the run has diverged); emits
        ``stepped`` once. Returns how many were made."""
        n = int(check_number("steps", n, 0, MAX_STEPS_PER_CALL, integer=True))
        run = self.run
        done = 0
        while done < n and not self.diverged:
            x, y = self.next_batch()
            run.optimizer.zero_grad()
            loss = self.objective(run.network(x), y)
            loss.backward()
            run.optimizer.step()
            self.finish_update(float(loss.detach()))
            done += 1
        if done:
            self.events.stepped.emit(self.steps)
        return done

    def finish_update(self, batch_loss: float) -> None:
        """Count an update made on :attr:`network` (whose batch objective was ``batch_loss``)
        and record the losses after it on the curves' update multiples."""
        object.__setattr__(self, "steps", self.steps + 1)
        if not math.isfinite(batch_loss):
            self._diverge()
        if self.steps % CURVE_EVERY == 0:
            self._record()

    def _diverge(self) -> None:
        object.__setattr__(self, "diverged", f"diverged at step {self.steps}: the loss is no "
                                             "longer finite")

    def _record(self) -> None:
        train, test = self.evaluate()
        self.run.train_curve.append(train)
        self.run.test_curve.append(test)
        if not math.isfinite(train):
            self._diverge()

    def _latest(self) -> tuple[float, float]:
        run = self.run
        if (len(run.train_curve) - 1) * CURVE_EVERY == self.steps:
            return run.train_curve[-1], run.test_curve[-1]
        if run.latest is None or run.latest[0] != self.steps:
            run.latest = (self.steps, *self.evaluate())
        return run.latest[1], run.latest[2]

    def evaluate(self) -> tuple[float, float]:
        """(train loss, test loss) on the current weights: full-set means, no regularization."""
        run = self.run
        with torch.no_grad():
            out = run.network(run.x_all)
            n = len(run.x_train)
            return (float(data_loss(out[:n], run.y_train, run.task)),
                    float(data_loss(out[n:], run.y_test, run.task)))

    @property
    def train_loss(self) -> float:
        """The training loss as of the last update (at step 0, of the initial weights)."""
        return self._latest()[0]

    @property
    def test_loss(self) -> float:
        return self._latest()[1]

    @property
    def curve_steps(self) -> list[int]:
        """The update counts the curves hold points for: 0, 5, 10, … up to ``steps``."""
        return list(range(0, len(self.run.train_curve) * CURVE_EVERY, CURVE_EVERY))

    @property
    def train_curve(self) -> list[float]:
        """Training loss after each of :attr:`curve_steps` updates."""
        return list(self.run.train_curve)

    @property
    def test_curve(self) -> list[float]:
        return list(self.run.test_curve)

    @property
    def start_settings(self) -> dict[str, Any]:
        """The training settings the run started with (the log holds later changes)."""
        return dict(self._start)

    def data(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(x_train, y_train, x_test, y_test)`` as float32 tensors."""
        run = self.run
        return run.x_train, run.y_train, run.x_test, run.y_test

    # -- saving ---------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        settings = {n: (list(v) if n == "hidden" else v) for n, v in self._values.items()
                    if n != "points"}
        out: dict[str, Any] = {"settings": settings,
                               "points": [list(p) for p in self.points],
                               "start": dict(self._start),
                               "log": [list(e) for e in self.log], "steps": self.steps}
        run = self._run
        if run is not None and self.steps > 0:
            out.update(weights=encode_params(list(run.network.parameters())),
                       optimizer=encode_optimizer(run.optimizer), epoch=run.epoch,
                       cursor=run.cursor, train_curve=encode_floats(run.train_curve),
                       test_curve=encode_floats(run.test_curve))
        return out

    def from_dict(self, data: dict[str, Any]) -> None:
        """Validate everything (building the run on a scratch model), then take it over; on any
        error this model is unchanged."""
        scratch = build_from_dict(type(self), data)
        changed = [n for n, v in scratch._values.items() if v != self._values[n]]
        for name in ("_values", "_run", "steps", "log", "diverged", "_start"):
            object.__setattr__(self, name, getattr(scratch, name))
        for name in changed:
            getattr(self.events, name).emit(self._values[name])
        self.events.was_reset.emit()


def _playground_models(model: AppModel) -> list[Any]:
    """The Playground model is shared (the loss-surface panel reads it too): registered here
    through :func:`shared` if nobody did yet, so it is never registered twice; the ghost runs
    are this panel's own."""
    from gradviz.core.playground_ghosts import PlaygroundGhosts

    shared(model, PlaygroundModel, PlaygroundModel.key)
    return [] if PlaygroundGhosts.key in model else [PlaygroundGhosts()]


PANEL = PanelInfo("playground", "Playground", "playground.panel:QtPlaygroundPanel", order=90,
                  models=_playground_models,
                  presenter=Presenter(show=("views", "stepping"), fold=("controls",)))
