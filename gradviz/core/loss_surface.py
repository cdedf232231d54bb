"""The loss-surface sub-model: which surface, the balls' optimizers, and the race itself.

The fields (saved, undoable, evented) describe the experiment; the race is derived from them:
it is rebuilt whenever they change and, unless the surface itself changed, replayed to the same
number of steps, so dragging the learning rate re-draws the whole path at once. ``step``,
``back`` and ``restart`` move through the race and emit ``stepped``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from gradviz.core.functions1d import check_function
from gradviz.core.landscape_race import NetworkLandscape
from gradviz.core.landscape_source import (
    NETWORK,
    NETWORK_SETTINGS,
    NETWORK_TITLE,
    GridSpec,
    landscape_code,
    network_surface,
    spec_axis,
)
from gradviz.core.mininet import MiniNetwork
from gradviz.core.model import Setting, SettingsModel
from gradviz.core.optim_race import (
    LR_MAX,
    LR_MIN,
    MAX_BALLS,
    OPTIMIZERS,
    OptimizerRace,
    OptimizerSettings,
)
from gradviz.core.panel_info import PanelInfo, Presenter, shared
from gradviz.core.playground import PlaygroundModel
from gradviz.core.surfaces import (
    GRID_MAX,
    GRID_MIN,
    SURFACE_KEYS,
    SURFACE_TITLES,
    SURFACES,
    Surface,
    SurfaceGrid,
    compute_grid,
    custom_surface,
    mininet_surface,
)

BALL_CHOICES = tuple(OPTIMIZERS)
EXTRA_BALL_CHOICES = ("off", *OPTIMIZERS)
#: Replaying more steps than this after a settings change would make a slider drag stutter.
MAX_REPLAY = 200
MAX_STEPS = 5000
EXPRESSION_MAX = 500
_POS = {"lo": -1e4, "hi": 1e4}
_MININET_FIELDS = ("seed", "n_samples", "true_w", "true_b", "noise")
#: Playground settings whose change makes every computed network landscape meaningless.
INVALIDATING = ("hidden", "seed", "dataset", "noise", "train_fraction", "activation", "points")
CHOICES = (*SURFACE_KEYS, NETWORK)


@dataclass(frozen=True)
class Preset:
    key: str
    title: str
    values: dict


def _balls(*kinds_and_lrs: tuple[str, float]) -> dict:
    out: dict[str, Any] = {}
    for i in range(MAX_BALLS):
        kind, lr = kinds_and_lrs[i] if i < len(kinds_and_lrs) else ("off", 0.1)
        out[f"ball{i + 1}"] = kind
        out[f"lr{i + 1}"] = lr
    return out


PRESETS = {p.key: p for p in (
    Preset("chapter3d", "The chapter's 3D picture",
           {"surface": "bowl", "start_x": 1.5, "start_y": 1.2, **_balls(("sgd", 0.05)),
            "floor_contour": True, "arrow_field": False, "show_arrow": True, "speed": 6.0}),
    Preset("chapter_saddle", "The chapter's f = x² + 2xy (no minimum)",
           {"surface": "chapter", "start_x": 1.0, "start_y": -0.3, **_balls(("sgd", 0.05)),
            "floor_contour": True, "arrow_field": True, "show_arrow": True, "speed": 6.0}),
    Preset("too_big", "Too large a step: lr = 1.05 on the bowl",
           {"surface": "bowl", "start_x": 1.5, "start_y": 1.2,
            **_balls(("sgd", 1.05), ("sgd", 0.5), ("sgd", 0.1)),
            "floor_contour": True, "arrow_field": False, "show_arrow": True, "speed": 4.0}),
    Preset("race_elongated", "Race on the elongated bowl",
           {"surface": "elongated", "start_x": -1.8, "start_y": 0.9,
            **_balls(("sgd", 0.09), ("momentum", 0.02), ("rmsprop", 0.05), ("adam", 0.1)),
            "momentum": 0.9, "floor_contour": True, "arrow_field": False, "show_arrow": True,
            "speed": 12.0}),
    Preset("race_rosenbrock", "Race on Rosenbrock's valley",
           {"surface": "rosenbrock", "start_x": -1.5, "start_y": 2.0,
            **_balls(("sgd", 0.0005), ("momentum", 0.0005), ("adagrad", 0.5), ("adam", 0.05)),
            "momentum": 0.9, "floor_contour": True, "arrow_field": False, "show_arrow": True,
            "speed": 30.0}),
    Preset("mininet", "Training the mini network (w, b)",
           {"surface": "mininet", **_balls(("sgd", 0.1), ("adam", 0.1)),
            "floor_contour": True, "arrow_field": False, "show_arrow": True, "speed": 10.0}),
)}


def _ball_setting(n: int) -> Setting:
    choices = BALL_CHOICES if n == 1 else EXTRA_BALL_CHOICES
    return Setting(
        "sgd" if n == 1 else "off", choices=choices,
        choice_labels=tuple("off" if k == "off" else OPTIMIZERS[k] for k in choices),
        label=f"optimizer of ball {n}",
        doc=f"The torch.optim optimizer that moves ball {n}"
            + ("." if n == 1 else "; off hides the ball."))


def _lr_setting(n: int, default: float) -> Setting:
    return Setting(default, lo=LR_MIN, hi=LR_MAX, log=True, label=f"learning rate of ball {n}",
                   doc=f"Step size of ball {n}'s optimizer ({LR_MIN:g} to {LR_MAX:g}).")


def _compiling_expression(label: str, value: Any) -> str:
    """Only surfaces that compile are stored (with the compiler's message otherwise)."""
    return check_function(label, value, EXPRESSION_MAX, custom_surface)


_SETTINGS: dict[str, Setting] = {
    "surface": Setting("bowl", choices=CHOICES,
                       choice_labels=(*(SURFACE_TITLES[k] for k in SURFACE_KEYS), NETWORK_TITLE),
                       label="surface", doc="The loss surface the balls roll down."),
    "expression": Setting("sin(x)*cos(y) + 0.1*(x**2 + y**2)", max_len=EXPRESSION_MAX,
                          check=_compiling_expression, label="f(x, y)",
                          doc="Your own surface, a formula in x and y."),
    "grid": Setting(120, lo=GRID_MIN, hi=GRID_MAX, integer=True, step=10, label="grid",
                    doc=f"Samples per side of the surface grid ({GRID_MIN}–{GRID_MAX})."),
    "start_x": Setting(1.5, label="start x", doc="Where every ball starts, first coordinate.",
                       **_POS),
    "start_y": Setting(1.2, label="start y", doc="Where every ball starts, second coordinate.",
                       **_POS),
    **{f"ball{n}": _ball_setting(n) for n in range(1, MAX_BALLS + 1)},
    **{f"lr{n}": _lr_setting(n, 0.05 if n == 1 else 0.1) for n in range(1, MAX_BALLS + 1)},
    "momentum": Setting(0.9, lo=0.0, hi=0.999, step=0.05, decimals=3, label="momentum",
                        doc="How much of the last step SGD with momentum and Nesterov keep."),
    "beta1": Setting(0.9, lo=0.0, hi=0.9999, step=0.01, decimals=4, label="beta 1",
                     doc="Adam's decay rate of the running mean of the gradient."),
    "beta2": Setting(0.999, lo=0.0, hi=0.99999, step=0.001, decimals=5, label="beta 2",
                     doc="Adam's decay rate of the running mean of the squared gradient."),
    "speed": Setting(6.0, lo=1.0, hi=60.0, label="speed",
                     doc="Optimizer steps per second while playing."),
    "floor_contour": Setting(True, label="contours on the floor (3D)",
                             doc="Draw the iso-lines under the 3D surface."),
    "arrow_field": Setting(False, label="−∇f arrows everywhere (map)",
                           doc="Draw the direction of steepest descent all over the map."),
    "show_arrow": Setting(True, label="yellow −∇f arrow at each ball",
                          doc="Draw −∇f, the steepest way down, at every ball."),
    **NETWORK_SETTINGS,
}
#: The fields every saved state holds (the network source's are saved only when changed).
_SAVED_ALWAYS = frozenset(_SETTINGS) - frozenset(NETWORK_SETTINGS)


class LossSurface(SettingsModel):
    """The loss-surface experiment (sub-model key ``"surface"``).

    Parameters
    ----------
    surface
        One of :data:`~gradviz.core.surfaces.SURFACE_KEYS`, or ``"network"``: the Playground
        network's loss on a plane of its weight space (see
        :mod:`gradviz.core.landscape_source`).
    expression
        The custom surface in x and y; only expressions that compile are ever stored.
    grid
        Samples per side (50–400).
    start_x, start_y
        Where every ball starts.
    ball1 … ball4, lr1 … lr4
        Each ball's optimizer (``"off"`` for balls 2–4 hides them) and learning rate.
    momentum, beta1, beta2
        Shared hyper-parameters of the optimizers that use them.
    speed
        Steps per second when playing.
    floor_contour, arrow_field, show_arrow
        What the views draw.
    net_plane, net_grid, net_span, net_seed1, net_seed2
        The network loss's plane (random directions or three points), odd grid size (11–101),
        span and direction seeds: a recipe, never tensors.

    Examples
    --------
    >>> s = LossSurface()
    >>> s.step(3)
    True
    >>> s.race.steps
    3
    """

    key: ClassVar[str] = "surface"
    format_version: ClassVar[int] = 1
    SETTINGS: ClassVar[dict[str, Setting]] = _SETTINGS
    #: A step, back-step or restart of the race (argument: steps taken now).
    ACTIONS: ClassVar[dict[str, tuple]] = {"stepped": (int,)}

    def __init__(self) -> None:
        super().__init__()
        self._mininet = None
        self._playground = None
        #: The network source's cache, race and step (see :class:`NetworkLandscape`).
        self.landscapes = NetworkLandscape()
        self._grid_cache: tuple[Any, SurfaceGrid] | None = None
        self._race: OptimizerRace | None = None
        self._race_key: Any = None

    @property
    def stepped(self):
        """The ``events.stepped`` signal (a step, back-step or restart of the race)."""
        return self.events.stepped

    # -- sharing ------------------------------------------------------------------------
    @classmethod
    def sharing(cls, mininet, playground=None) -> LossSurface:
        """The sub-model using the app's one shared mini network for the (w, b) surface and,
        when given, the one shared Playground model for the network loss."""
        model = cls()
        model._mininet = mininet
        if playground is not None:
            model._use_playground(playground)
        return model

    def _use_playground(self, playground: PlaygroundModel) -> None:
        self._playground = playground
        for name in INVALIDATING:
            getattr(playground.events, name).connect(self.landscapes.invalidate)

    @property
    def playground(self) -> PlaygroundModel:
        """The Playground model whose network the ``"network"`` source shows."""
        if self._playground is None:
            self._use_playground(PlaygroundModel())
        return self._playground

    @property
    def mininet(self):
        if self._mininet is None:
            from gradviz.core.mininet import MiniNetwork

            self._mininet = MiniNetwork()
        return self._mininet

    # -- the surface --------------------------------------------------------------------
    def surface_for(self, key: str) -> Surface:
        if key == "custom":
            return custom_surface(self.expression)
        if key == "mininet":
            return mininet_surface(self.mininet)
        if key == NETWORK:
            spec = self.network_spec()
            return network_surface(spec, spec_axis(spec).numpy())
        return SURFACES[key]

    def current_surface(self) -> Surface:
        return self.surface_for(self.surface)

    def _surface_key(self) -> tuple:
        if self.surface == "custom":
            return ("custom", self.expression)
        if self.surface == "mininet":
            net = self.mininet
            return ("mininet", *(getattr(net, f) for f in _MININET_FIELDS),
                    mininet_surface(net).domain)
        return (self.surface,)

    def grid_data(self) -> SurfaceGrid:
        """The current surface on the current grid (computed once per change)."""
        key = (self._surface_key(), self.grid)
        if self._grid_cache is None or self._grid_cache[0] != key:
            self._grid_cache = (key, compute_grid(self.current_surface(), self.grid))
        return self._grid_cache[1]

    # -- the network loss -------------------------------------------------------------
    def network_spec(self) -> GridSpec:
        """The plane and grid the network source asks for."""
        return GridSpec.of(self)

    def network_key(self) -> tuple:
        """The cache key of the wanted landscape: pinned weights and data, plane, grid."""
        return (self.landscapes.snapshot(self.playground).key, self.network_spec())

    def network_balls(self) -> list[tuple[int, OptimizerSettings]]:
        """(number, optimizer settings) of every ball that is on."""
        return list(zip(self.ball_numbers(), self.ball_settings(), strict=True))

    @property
    def running(self) -> bool:
        """Whether a Step would move some ball."""
        if self.surface == NETWORK:
            return self.landscapes.running
        return self.race.running

    # -- the race -----------------------------------------------------------------------
    def ball_settings(self) -> list[OptimizerSettings]:
        """One entry per ball that is on (ball 1 always is)."""
        out = []
        for i in range(1, MAX_BALLS + 1):
            kind = getattr(self, f"ball{i}")
            if kind == "off":
                continue
            out.append(OptimizerSettings(kind, getattr(self, f"lr{i}"), self.momentum,
                                         self.beta1, self.beta2))
        return out

    def ball_numbers(self) -> list[int]:
        """The 1-based numbers of the balls that are on (their colours follow the number)."""
        return [i for i in range(1, MAX_BALLS + 1) if getattr(self, f"ball{i}") != "off"]

    def _race_settings_key(self) -> tuple:
        """Everything the race depends on, read straight from the values: the race is asked
        for several times per frame, and building every ball's settings each time adds up."""
        v = self._values
        balls = tuple((n, v[f"ball{n}"], v[f"lr{n}"]) for n in range(1, MAX_BALLS + 1)
                      if v[f"ball{n}"] != "off")
        return (self._surface_key(), (v["start_x"], v["start_y"]), balls,
                (v["momentum"], v["beta1"], v["beta2"]))

    @property
    def race(self) -> OptimizerRace:
        key = self._race_settings_key()
        if self._race is None or key != self._race_key:
            numbers = self.ball_numbers()
            settings = self.ball_settings()
            keep, reuse = 0, {}
            if self._race is not None and key[:2] == self._race_key[:2]:
                # Same landscape and start: unchanged balls carry on, changed ones replay to
                # the same step (capped, so a slider drag stays smooth).
                keep = min(self._race.steps, MAX_REPLAY)
                reuse = {b.index + 1: b for b in self._race.balls}
            surface = self.current_surface()
            race = OptimizerRace(surface.fn, surface.domain, (self.start_x, self.start_y),
                                 settings, numbers, reuse)
            race.run(keep, race.fresh)
            self._race, self._race_key = race, key
        return self._race

    def step(self, n: int = 1) -> bool:
        """Advance every running ball ``n`` steps; False when none could move (all stopped,
        or the race reached ``MAX_STEPS``)."""
        if self.surface == NETWORK:
            moved = self.landscapes.step(n)
            self.stepped.emit(self.landscapes.index)
            return moved
        race = self.race
        before = race.steps
        for _ in range(int(n)):
            if race.steps >= MAX_STEPS or not race.running:
                break
            race.step()
        self.stepped.emit(race.steps)
        # Running balls step together and stopped ones fall behind, so the count grows
        # exactly when some ball moved.
        return race.steps != before

    def back(self) -> bool:
        """Go back one step (replays the race from the start: optimizers have state)."""
        if self.surface == NETWORK:
            moved = self.landscapes.back()
            self.stepped.emit(self.landscapes.index)
            return moved
        race = self.race
        if race.steps == 0:
            return False
        target = race.steps - 1
        self._race = None
        fresh = self.race
        fresh.run(target)
        self.stepped.emit(fresh.steps)
        return True

    def restart(self) -> None:
        """Every ball back to the start."""
        self._race = None
        self.landscapes.restart()
        if self.surface == NETWORK:
            self.stepped.emit(0)
            return
        self.stepped.emit(self.race.steps)

    def reset(self) -> None:
        super().reset()
        self.restart()

    # -- saving -------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The fields as saved; the network source's fields only when they differ from their
        defaults, so a lesson that never uses it is saved exactly as before they existed (and
        loads back the same: a missing field keeps its default)."""
        return {n: v for n, v in self._values.items()
                if n not in NETWORK_SETTINGS or v != NETWORK_SETTINGS[n].default}

    def from_dict(self, data: dict[str, Any]) -> None:
        """Load a whole saved state (network fields it leaves out take their defaults) or, as
        commands do, set some fields (the others stay)."""
        if isinstance(data, dict) and _SAVED_ALWAYS <= data.keys():
            data = {**{n: st.default for n, st in NETWORK_SETTINGS.items()}, **data}
        super().from_dict(data)

    # -- presets ------------------------------------------------------------------------
    def values_for_surface(self, key: str) -> dict[str, Any]:
        """Field values that switch to surface ``key``, with the ball at its usual start."""
        sx, sy = self.surface_for(key).start
        return {"surface": key, "start_x": float(sx), "start_y": float(sy)}

    def values_for_preset(self, key: str) -> dict[str, Any]:
        values = dict(PRESETS[key].values)
        if "start_x" not in values:
            values.update(self.values_for_surface(values["surface"]))
        return values

    # -- code ---------------------------------------------------------------------------
    def code_text(self) -> tuple[str, str]:
        """Ball 1's loop twice: the manual update and the ``torch.optim`` form (for the
        network loss: the filter-normalized directions and the grid loop)."""
        if self.surface == NETWORK:
            return landscape_code(self.network_spec())
        surface = self.current_surface()
        a, b = surface.names
        s = self.ball_settings()[0]
        if surface.key == "mininet":
            setup = ("xs, ys = data                    # the mini network's data set\n"
                     f"p = torch.tensor([{self.start_x:.6g}, {self.start_y:.6g}], "
                     "requires_grad=True)\n"
                     f"def f({a}, {b}):\n    return {surface.code}\n")
        else:
            setup = (f"p = torch.tensor([{self.start_x:.6g}, {self.start_y:.6g}], "
                     "requires_grad=True)\n"
                     f"def f({a}, {b}):\n    return {surface.code}\n")
        manual = (setup + f"lr = {s.lr:.6g}\n"
                  "for step in range(100):\n"
                  "    loss = f(p[0], p[1])\n"
                  "    loss.backward()\n"
                  "    with torch.no_grad():\n"
                  "        p -= lr * p.grad\n"
                  "    p.grad.zero_()\n")
        optim = (setup + f"optimizer = {s.code()}\n"
                 "for step in range(100):\n"
                 "    optimizer.zero_grad()\n"
                 "    loss = f(p[0], p[1])\n"
                 "    loss.backward()\n"
                 "    optimizer.step()\n")
        return manual, optim


def _models(model) -> list[LossSurface]:
    return [LossSurface.sharing(shared(model, MiniNetwork, MiniNetwork.key),
                                shared(model, PlaygroundModel, PlaygroundModel.key))]


PANEL = PanelInfo("surface", "Loss surface", "surface.panel:QtSurfacePanel", order=80,
                  models=_models,
                  presenter=Presenter(show=("views", "stepping"),
                                      fold=("surface", "learning-rate", "settings"),
                                      overlay=("surface-readout",), row=("stepping",)))
