"""Write the bundled tour, ``resources/lessons/why-derivatives.gradviz``, from real model states.

Each scene is set up through the sub-models' own ``from_dict`` (so it is validated exactly like a
file a user opens), and the numbers in the captions are computed here with torch rather than
typed in. Scenes whose panels are not in this build are left out.

Run it again whenever a panel or a sub-model's format changes::

    .venv/bin/python packaging/make_tour.py            # write the tour
    .venv/bin/python packaging/make_tour.py --check    # exit 1 if the file is out of date
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gradviz.app import build_model  # noqa: E402
from gradviz.core.model import AppModel  # noqa: E402
from gradviz.core.numbers import fmt  # noqa: E402
from gradviz.lesson import Lesson, open_lesson, save_lesson  # noqa: E402
from gradviz.lesson.scenes import AddSceneCommand, capture_scene  # noqa: E402

OUTPUT = ROOT / "resources" / "lessons" / "why-derivatives.gradviz"
TITLE = "Why derivatives? A guided tour"


def _set(model: AppModel, key: str, **values) -> None:
    sub = model[key]
    sub.from_dict({**sub.to_dict(), **values})


def _grad(fn: Callable[..., torch.Tensor], *values: float) -> list[float]:
    """Gradients of ``fn`` at ``values`` by one real backward() in float32."""
    xs = [torch.tensor(v, requires_grad=True) for v in values]
    fn(*xs).backward()
    return [x.grad.item() for x in xs]


def _graph_example(model: AppModel, name: str) -> None:
    from gradviz.graph.examples import load_example

    model["graph"].from_dict(load_example(name).to_dict())


def _graph_code(model: AppModel, code: str) -> None:
    from gradviz.graph import Graph

    model["graph"].from_dict(Graph.from_code(code).to_dict())


# -- the scenes, in the chapter's order ------------------------------------------------------------
def slope(model):
    (d,) = _grad(lambda x: 0.5 * (x - 3) ** 2, 1.0)
    _set(model, "tangent", source="0.5*(x - 3)**2", x=1.0, x_lo=-2.0, x_hi=8.0)
    return ["tangent"], (f"Why derivatives? At x = 1 the slope of ½(x − 3)² is {fmt(d)}: "
                         "negative, so downhill is to the right. Drag the point.")


def approaches(model):
    (d,) = _grad(lambda x: x**2, 3.0)
    _set(model, "approaches", source="x**2", x=3.0, h=1e-4)
    return ["approaches"], (f"Three ways to a derivative: the rule 2x, a nudge of size h, and "
                            f"autograd — all close to {fmt(d)} for x² at 3. Shrink h and watch "
                            "the nudge go wrong.")


def chain(model):
    _set(model, "chain", links=["x**2", "sin(x)", "3*x + 1"], x=1.0)
    return ["chain"], ("The chain rule: each link only knows its own slope; the total is their "
                       "product.")


def graph_chain(model):
    _graph_example(model, "chain")
    return ["graph"], ("Computational graphs (1/3): a plain chain. Forward builds the nodes, "
                       "backward walks them in reverse.")


def graph_two_paths(model):
    dx, dy = _grad(lambda x, y: x * y + x**2, 2.0, 3.0)
    _graph_example(model, "two_paths")
    return ["graph"], (f"Computational graphs (2/3): z = x·y + x² with x = 2, y = 3. x feeds two "
                       f"paths, so its gradients add: dz/dx = 3 + 4 = {fmt(dx)}.")


def graph_mini_network(model):
    net = model["mininet"]
    w = torch.tensor(net.w, requires_grad=True)
    b = torch.tensor(net.b, requires_grad=True)
    net.single_loss(w, b).backward()
    _graph_example(model, "mini_network")
    return ["graph"], (f"Computational graphs (3/3): the mini network (w·x + b − y)². One "
                       f"backward() gives w.grad = {fmt(w.grad.item())}.")


def autograd_api(model):
    _set(model, "trap", mode="with")
    return ["trap"], ("The autograd API: requires_grad switches tracking on, backward() fills "
                      "in .grad. Press loss.backward() once.")


def partials(model):
    dx, dy = _grad(lambda x, y: x**2 + 2 * x * y, 1.0, 2.0)
    _graph_code(model, "import torch\n"
                       "x = torch.tensor(1.0, requires_grad=True)\n"
                       "y = torch.tensor(2.0, requires_grad=True)\n"
                       "f = x**2 + 2*x*y\n"
                       "f.backward()\n")
    panels = ["graph"]
    if "surface" in model:
        model["surface"].from_dict({**model["surface"].to_dict(),
                                    **model["surface"].values_for_preset("chapter_saddle")})
        panels.append("surface")
    return panels, (f"Partial derivatives: f = x² + 2xy at (1, 2). ∂f/∂x = 2x + 2y = {fmt(dx)}, "
                    f"∂f/∂y = 2x = {fmt(dy)}; together they are the gradient.")


def trap(model):
    _set(model, "trap", mode="without")
    return ["trap"], ("The accumulation trap: backward() adds into .grad. Press it three times "
                      "without zeroing and watch 0.4 grow.")


def nograd(model):
    return ["nograd"], ("no_grad() and detach(): no graph, no memory for backward — and a "
                        "detached tensor stops the gradient.")


def descent(model):
    x = torch.tensor(0.0, requires_grad=True)
    xs, losses = [], []
    for _ in range(3):
        loss = (x - 3) ** 2
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            x -= 0.1 * x.grad
        x.grad.zero_()
        xs.append(x.item())
    _set(model, "tangent", source="(x - 3)**2", x=0.0, x_lo=-2.0, x_hi=8.0, lr=0.1,
         descent_x0=0.0, descent_steps=0)
    return ["tangent"], ("Gradient descent: x ← x − 0.1·f′(x) on (x − 3)². Loss "
                         + " → ".join(fmt(v) for v in losses) + ", x 0 → "
                         + " → ".join(fmt(v) for v in xs) + " … press Step.")


def surface(model):
    model["surface"].from_dict({**model["surface"].to_dict(),
                                **model["surface"].values_for_preset("chapter3d")})
    return ["surface"], ("Two parameters make a landscape. The ball follows the negative "
                         "gradient downhill; the arrow is what autograd computes.")


def training(model):
    return ["training"], ("The training loop: zero_grad, forward, backward, step — one run "
                          "forgets the first line.")


def playground(model):
    """One start, two learning rates: the slow run is rewound and kept as a ghost."""
    from gradviz.core.playground_ghosts import run_label

    pg, ghosts = model["playground"], model["playground_ghosts"]
    pg.lr = 0.003
    pg.step(300)
    slow = pg.train_loss
    ghosts.keep(run_label(pg.settings(), pg.steps), pg.train_curve, pg.test_curve)
    pg.reset()  # Rewind: the same initial weights
    pg.lr = 0.03
    pg.step(300)
    return ["playground"], (f"A network learning. Same start, 300 updates: lr 0.003 (grey "
                            f"ghost) reaches loss {fmt(slow)}, lr 0.03 {fmt(pg.train_loss)}.")


SCENES = (slope, approaches, chain, graph_chain, graph_two_paths, graph_mini_network,
          autograd_api, partials, trap, nograd, descent, surface, training, playground)


def build_tour(available: set[str]) -> tuple[Lesson, list[str]]:
    """The tour lesson and the names of the scenes left out (their panels are missing)."""
    model = build_model()
    made = []
    skipped = []
    for make in SCENES:
        model.reset()  # every scene starts from the defaults (this also empties the scene list)
        try:
            panels, caption = make(model)
        except KeyError:  # a sub-model this build does not have
            skipped.append(make.__name__)
            continue
        panels = [p for p in panels if p in available]
        if not panels:
            skipped.append(make.__name__)
            continue
        made.append(capture_scene(model, panels, caption))
    # The lesson opens on its first scene.
    model.reset()
    model.from_dict(made[0].state)
    scenes = model["scenes"]
    for scene in made:
        AddSceneCommand(scenes, scene).do()
    scenes.set_current(0)
    return Lesson(model=model.to_dict(), title=TITLE), skipped


def _available_panels() -> set[str]:
    from gradviz.ui.panels import builtin_registry

    return set(builtin_registry().names())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true",
                        help="only check that the file matches what would be written")
    args = parser.parse_args(argv)
    lesson, skipped = build_tour(_available_panels())
    if args.check:
        current = open_lesson(args.output, build_model)
        same = json.dumps(current.model, sort_keys=True) == json.dumps(lesson.model,
                                                                         sort_keys=True)
        print("tour is up to date" if same else "tour is OUT OF DATE: run packaging/make_tour.py")
        return 0 if same else 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    save_lesson(args.output, lesson)
    open_lesson(args.output, build_model)  # prove it opens
    n = len(lesson.model["models"]["scenes"]["state"]["scenes"])
    print(f"wrote {args.output} ({n} scenes" + (f"; left out: {', '.join(skipped)}" if skipped
                                                 else "") + ")")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
