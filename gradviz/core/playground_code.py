"""The Playground run as a stand-alone PyTorch script (File → Export as PyTorch code).

The script carries the source of the very functions the app trains with (data generation, the
network, the loss, the optimizers, the batch order; they use only ``torch`` and ``math``), the
hand-added points, the settings the run started with and the log of later changes. It replays
the run update by update and prints ``float(train_loss)`` as its last line: on the same machine
and torch version that is the model's ``train_loss``.

Only validated numbers (written with ``repr`` of a Python ``float``/``int``) and names taken from
the fixed tuples of choices reach the script; no text a user typed or a file held ever does.
"""

from __future__ import annotations

import inspect
from typing import Any

from gradviz.core import playground_data as data
from gradviz.core import playground_net as net
from gradviz.core.playground import PlaygroundModel

_CHOICES = {"dataset": data.DATASETS, "activation": net.ACTIVATIONS,
            "optimizer": net.OPTIMIZERS, "regularization": net.REGULARIZATIONS}
_FUNCTIONS = (net.stream_seed, data.make_data, data.split, net.build_network, net.data_loss,
              net.penalty, net.make_optimizer, net.epoch_order)

_MAIN = '''

def replay(opt, net, settings, name, value):
    """A training setting changed mid-run: apply it as the app did."""
    settings[name] = value
    if name == "optimizer":
        return make_optimizer(value, list(net.parameters()), settings["lr"], settings["momentum"])
    if name in ("lr", "momentum"):
        for group in opt.param_groups:
            if name in group:
                group[name] = value
    return opt


def main():
    data_gen = torch.Generator().manual_seed(stream_seed(SEED, DATA_STREAM))
    xy, labels = make_data(DATASET, NOISE, data_gen, POINTS)
    train, test = split(len(xy), TRAIN_FRACTION, data_gen)
    x_train, y_train, x_test, y_test = xy[train], labels[train], xy[test], labels[test]
    net = build_network(HIDDEN, ACTIVATION, N_OUT,
                        torch.Generator().manual_seed(stream_seed(SEED, INIT_STREAM)))
    settings = dict(START)
    opt = make_optimizer(settings["optimizer"], list(net.parameters()), settings["lr"],
                         settings["momentum"])
    changes = list(LOG)
    epoch, cursor, order = 0, 0, None
    for step in range(STEPS):
        while changes and changes[0][0] == step:
            _, name, value = changes.pop(0)
            opt = replay(opt, net, settings, name, value)
        if cursor == 0:
            order = epoch_order(SEED, epoch, len(x_train))
        idx = order[cursor:cursor + settings["batch_size"]]
        cursor += len(idx)
        if cursor >= len(x_train):
            epoch, cursor = epoch + 1, 0
        opt.zero_grad()
        loss = data_loss(net(x_train[idx]), y_train[idx], TASK)
        loss = loss + penalty(net, settings["regularization"], settings["reg_rate"])
        loss.backward()
        opt.step()
    with torch.no_grad():
        out = net(torch.cat([x_train, x_test]))
        train_loss = data_loss(out[:len(x_train)], y_train, TASK)
        test_loss = data_loss(out[len(x_train):], y_test, TASK)
    print(f"updates: {STEPS}, test loss: {float(test_loss)}")
    print(float(train_loss))


if __name__ == "__main__":
    main()
'''


def _value(name: str, value: Any) -> str:
    """Python source for one validated setting value."""
    if name in _CHOICES:
        choices = _CHOICES[name]
        return repr(choices[choices.index(value)])  # the fixed name, never the given object
    if name == "hidden":
        return repr(tuple(int(v) for v in value))
    if name in ("batch_size", "seed"):
        return repr(int(value))
    return repr(float(value))


def _name(name: str) -> str:
    return net.TRAINING[net.TRAINING.index(name)]


def _points(points: tuple) -> str:
    rows = [f"    ({float(a)!r}, {float(b)!r}, {float(c)!r}),\n" for a, b, c in points]
    return "(\n" + "".join(rows) + ")" if rows else "()"


def export_code(model: PlaygroundModel) -> str:
    """A runnable script that replays ``model``'s run and prints its final training loss."""
    s = model.settings()
    generator = data.GENERATORS[s["dataset"]]
    start = model.start_settings
    log = ",\n".join(f"    ({int(step)}, {_name(name)!r}, {_value(name, value)})"
                      for step, name, value in model.log)
    constants = [
        f"SEED = {_value('seed', s['seed'])}",
        f"DATASET = {_value('dataset', s['dataset'])}",
        f"NOISE = {_value('noise', s['noise'])}",
        f"TRAIN_FRACTION = {_value('train_fraction', s['train_fraction'])}",
        f"HIDDEN = {_value('hidden', s['hidden'])}",
        f"ACTIVATION = {_value('activation', s['activation'])}",
        f"TASK = {data.task_of(s['dataset'])!r}",
        f"N_OUT = {3 if model.task == 'multiclass' else 1}",
        f"N_GENERATED = {int(data.N_GENERATED)}",
        f"DATA_STREAM, INIT_STREAM, EPOCH_STREAM = {int(net.DATA_STREAM)}, {int(net.INIT_STREAM)}, "
        f"{int(net.EPOCH_STREAM)}",
        "START = {" + ", ".join(f"{_name(n)!r}: {_value(n, start[n])}" for n in net.TRAINING) + "}",
        f"LOG = [\n{log}\n]" if log else "LOG = []",
        f"STEPS = {int(model.steps)}",
        f"POINTS = {_points(s['points'])}",
    ]
    head = ('"""A GradViz Playground run as plain PyTorch: the same data, initial weights, batches\n'
            'and updates. The last line printed is the final training loss."""\n\n'
            "from __future__ import annotations\n\nimport math\n\nimport torch\n\n")
    functions = "\n\n".join(inspect.getsource(f) for f in (generator, *_FUNCTIONS))
    table = f"\n\nGENERATORS = {{DATASET: {generator.__name__}}}\n"
    return head + "\n".join(constants) + "\n\n\n" + functions + table + _MAIN
