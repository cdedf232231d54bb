"""The computational-graph model: nodes, edges, real torch runs, commands. Never imports Qt.

>>> from gradviz.graph import Graph
>>> g = Graph.from_code("x = torch.tensor(2.0, requires_grad=True)\\nz = (3 * x + 1) ** 2")
>>> g.run().grads["x"]
42.0
"""

from gradviz.graph.code_import import CodeImportError
from gradviz.graph.commands import (
    AddNode,
    BoundCommand,
    Connect,
    Disconnect,
    GraphCommand,
    MoveNodes,
    RemoveNode,
    Rename,
    SetRequiresGrad,
    SetValue,
)
from gradviz.graph.elements import Edge, GraphError, Node
from gradviz.graph.examples import available_examples, load_example
from gradviz.graph.model import Graph, GraphEvents
from gradviz.graph.ops import KINDS, KindSpec, PortSpec
from gradviz.graph.plan import BackwardStep, ForwardStep, RunResult

__all__ = [
    "KINDS",
    "AddNode",
    "BackwardStep",
    "BoundCommand",
    "CodeImportError",
    "Connect",
    "Disconnect",
    "Edge",
    "ForwardStep",
    "Graph",
    "GraphCommand",
    "GraphError",
    "GraphEvents",
    "KindSpec",
    "MoveNodes",
    "Node",
    "PortSpec",
    "RemoveNode",
    "Rename",
    "RunResult",
    "SetRequiresGrad",
    "SetValue",
    "available_examples",
    "load_example",
]
