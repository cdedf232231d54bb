"""The loss-surface sub-model: which surface, the balls' optimizers, and the race itself.

The fields (saved, undoable, evented) describe the experiment; the race is derived from them:
it is rebuilt whenever they change and, unless the surface itself changed, replayed to the same
number of steps, so dragging the learning rate re-draws the whole path at once. ``step``,
``back`` and ``restart`` move through the race and emit ``stepped``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from psygnal import Signal, evented

from gradviz.core.expr import ExpressionError
from gradviz.core.mininet import MiniNetwork
from gradviz.core.model import FieldModel, StateError
from gradviz.core.optim_race import (
    LR_MAX,
    LR_MIN,
    MAX_BALLS,
    OPTIMIZERS,
    OptimizerRace,
    OptimizerSettings,
)
from gradviz.core.panel_info import PanelInfo, shared
from gradviz.core.surfaces import (
    GRID_MAX,
    GRID_MIN,
    SURFACE_KEYS,
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
_LR = {"lo": LR_MIN, "hi": LR_MAX}
_POS = {"lo": -1e4, "hi": 1e4}
_MININET_FIELDS = ("seed", "n_samples", "true_w", "true_b", "noise")


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


@evented
@dataclass
class LossSurface(FieldModel):
    """The loss-surface experiment (sub-model key ``"surface"``).

    Parameters
    ----------
    surface
        One of :data:`~gradviz.core.surfaces.SURFACE_KEYS`.
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

    Examples
    --------
    >>> s = LossSurface()
    >>> s.step(3)
    >>> s.race.steps
    3
    """

    key: ClassVar[str] = "surface"
    format_version: ClassVar[int] = 1

    #: A step, back-step or restart of the race (argument: steps taken now).
    stepped = Signal(int)

    surface: str = field(default="bowl", metadata={"choices": SURFACE_KEYS})
    expression: str = field(default="sin(x)*cos(y) + 0.1*(x**2 + y**2)",
                            metadata={"max_len": 500})
    grid: int = field(default=120, metadata={"lo": GRID_MIN, "hi": GRID_MAX})
    start_x: float = field(default=1.5, metadata=_POS)
    start_y: float = field(default=1.2, metadata=_POS)
    ball1: str = field(default="sgd", metadata={"choices": BALL_CHOICES})
    ball2: str = field(default="off", metadata={"choices": EXTRA_BALL_CHOICES})
    ball3: str = field(default="off", metadata={"choices": EXTRA_BALL_CHOICES})
    ball4: str = field(default="off", metadata={"choices": EXTRA_BALL_CHOICES})
    lr1: float = field(default=0.05, metadata=_LR)
    lr2: float = field(default=0.1, metadata=_LR)
    lr3: float = field(default=0.1, metadata=_LR)
    lr4: float = field(default=0.1, metadata=_LR)
    momentum: float = field(default=0.9, metadata={"lo": 0.0, "hi": 0.999})
    beta1: float = field(default=0.9, metadata={"lo": 0.0, "hi": 0.9999})
    beta2: float = field(default=0.999, metadata={"lo": 0.0, "hi": 0.99999})
    speed: float = field(default=6.0, metadata={"lo": 1.0, "hi": 60.0})
    floor_contour: bool = True
    arrow_field: bool = False
    show_arrow: bool = True

    def __post_init__(self) -> None:
        self._mininet = None
        self._grid_cache: tuple[Any, SurfaceGrid] | None = None
        self._race: OptimizerRace | None = None
        self._race_key: Any = None

    # -- sharing ------------------------------------------------------------------------
    @classmethod
    def sharing(cls, mininet) -> LossSurface:
        """The sub-model using the app's one shared mini network for the (w, b) surface."""
        model = cls()
        model._mininet = mininet
        return model

    @property
    def mininet(self):
        if self._mininet is None:
            from gradviz.core.mininet import MiniNetwork

            self._mininet = MiniNetwork()
        return self._mininet

    # -- validation ---------------------------------------------------------------------
    def _validate(self, data: dict[str, Any]) -> dict[str, Any]:
        clean = super()._validate(data)
        if "expression" in clean:
            try:
                custom_surface(clean["expression"])
            except ExpressionError as exc:
                raise StateError(f"surface.expression: {exc}") from None
        return clean

    # -- the surface --------------------------------------------------------------------
    def surface_for(self, key: str) -> Surface:
        if key == "custom":
            return custom_surface(self.expression)
        if key == "mininet":
            return mininet_surface(self.mininet)
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

    @property
    def race(self) -> OptimizerRace:
        numbers = self.ball_numbers()
        settings = self.ball_settings()
        key = (self._surface_key(), (self.start_x, self.start_y),
               tuple(zip(numbers, settings, strict=True)))
        if self._race is None or key != self._race_key:
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
        self.stepped.emit(self.race.steps)

    def reset(self) -> None:
        super().reset()
        self.restart()

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
        """Ball 1's loop twice: the manual update and the ``torch.optim`` form."""
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


PANEL = PanelInfo("surface", "Loss surface", "surface.panel:QtSurfacePanel", order=80,
                  models=lambda model: [LossSurface.sharing(shared(model, MiniNetwork, MiniNetwork.key))])
